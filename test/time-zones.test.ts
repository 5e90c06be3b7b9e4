/**
 * The same request gives the same page whatever the server's time zone: the hours, the place page, the finder and
 * the orientation sheet of real places (La Réunion, Moselle, Guadeloupe, Guyane, Royan) at fixed instants are
 * rendered by `support/render-times.ts` in child processes under three `TZ` values, and must be identical.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

const ZONES = ["UTC", "Pacific/Auckland", "Europe/Paris"];

function render(tz: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/render-times.ts"], {
      env: { ...process.env, TZ: tz },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => {
      out += b;
    });
    child.stderr.on("data", (b) => {
      err += b;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`TZ=${tz}: code ${code}\n${err}`)),
    );
  });
}

test("hours, place page, finder and sheet are identical under TZ=UTC, Pacific/Auckland and Europe/Paris", async () => {
  const outputs = await Promise.all(ZONES.map(render));
  const [first, ...others] = outputs.map(
    (o) => JSON.parse(o) as { status: { text: string }; sheet: unknown }[],
  );
  assert.ok(first);
  // The output is what the pages say, not empty: each case has its open status and its sheet.
  assert.equal(first.length, 6);
  assert.deepEqual(
    first.map((c) => c.status.text),
    [
      "Ouvert, ferme à 12 h",
      "Fermé, ouvre lundi à 9 h",
      "Fermé, ouvre demain (jeudi) à 8 h",
      "Fermé, ouvre demain (jeudi) à 8 h",
      "Fermé, ouvre à 9 h",
      "Ouvert, ferme à 18 h",
    ],
  );
  for (const [i, other] of others.entries()) assert.deepEqual(other, first, `TZ=${ZONES[i + 1]} vs TZ=UTC`);
});
