import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FolderBusy, lockFolder } from "./owner.ts";

function folder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "maillage-owner-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "db");
}

test("one owner: a second opener is refused with the owner named; released, the folder can be taken again", (t) => {
  const db = folder(t);
  const lock = lockFolder(db, "serve");
  assert.equal(statSync(`${db}.lock`).mode & 0o777, 0o600);
  lock.announce({ url: "http://127.0.0.1:4321", token: "jeton" });
  assert.equal(statSync(`${db}.lock`).mode & 0o777, 0o600);
  assert.throws(
    () => lockFolder(db, "places import"),
    (e: unknown) =>
      e instanceof FolderBusy &&
      e.owner.token === "jeton" &&
      new RegExp(
        `^la base embarquée ${db} est déjà ouverte par un autre processus Maillage : « maillage serve » \\(pid ${process.pid}, depuis le .+, sur http://127\\.0\\.0\\.1:4321\\)\\. Deux processus`,
      ).test(e.message),
  );
  lock.release();
  assert.ok(!existsSync(`${db}.lock`));
  lockFolder(db, "db migrate").release();
});

test("a lock left by a dead process, or by a pid now used by another process, is taken over at once", (t) => {
  const db = folder(t);
  const dead = spawnSync(process.execPath, ["-e", ""]).pid;
  const left = {
    pid: dead,
    since: new Date().toISOString(),
    command: "serve",
    host: hostname(),
    started: null,
  };
  writeFileSync(`${db}.lock`, JSON.stringify(left));
  const lock = lockFolder(db, "serve");
  assert.equal(JSON.parse(readFileSync(`${db}.lock`, "utf8")).pid, process.pid);
  lock.release();

  if (existsSync("/proc/self/stat")) {
    // A live pid whose start time differs from the recorded one: the owner died and the pid was reused.
    writeFileSync(`${db}.lock`, JSON.stringify({ ...left, pid: process.pid, started: "1" }));
    lockFolder(db, "serve").release();
  }
  // A live owner on another machine (a shared folder) cannot be checked: refused.
  writeFileSync(`${db}.lock`, JSON.stringify({ ...left, host: `${hostname()}-ailleurs` }));
  assert.throws(() => lockFolder(db, "serve"), /sur la machine .*-ailleurs/);
});
