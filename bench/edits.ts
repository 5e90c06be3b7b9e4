/**
 * `npm run bench -- edition`: what editing a place costs. The edit form's weight (HTML, gzipped, and the weekly
 * editor's script) against the public page of the same place; the latency of saving an edit (a coordinator,
 * sequential saves of a real place of Creuse, each a new version) against reading the public page, same run.
 */
import { gzipSync } from "node:zlib";
import { sql } from "kysely";
import { IDLE_MINUTES } from "../src/accounts/model.ts";
import {
  addMembership,
  BY_SYSTEM,
  createOrganisation,
  createPerson,
  createSession,
} from "../src/accounts/store.ts";
import { newSecretValue, sha256 } from "../src/accounts/web.ts";
import { FormClient, formFields } from "../test/support/accounts.ts";
import { startTestServer } from "../test/support/server.ts";
import { median, percentile, report } from "./stats.ts";

const SAVES = 40;

const time = async <T>(f: () => Promise<T>): Promise<[number, T]> => {
  const t = performance.now();
  const r = await f();
  return [performance.now() - t, r];
};

export async function benchEdits(): Promise<void> {
  console.log("# Modification d'un lieu : poids du formulaire, enregistrement");
  const server = await startTestServer();
  try {
    const db = server.ctx.database.db;
    const now = new Date();
    const org = await createOrganisation(
      db,
      { name: "Conseil départemental de la Creuse", kind: "collectivite", siret: null, territoryId: "23" },
      now,
      BY_SYSTEM,
    );
    const p = await createPerson(
      db,
      { email: "mesure-edition@example.org", name: "Personne de mesure" },
      now,
      BY_SYSTEM,
    );
    const m = await addMembership(
      db,
      { personId: p.id, organisationId: org.id, role: "coordinateur" },
      now,
      BY_SYSTEM,
    );
    const value = newSecretValue();
    await createSession(
      db,
      {
        idHash: sha256(value),
        personId: p.id,
        membershipId: m.id,
        csrfSecret: "",
        idleMinutes: IDLE_MINUTES.coordinateur,
        secondFactorDone: true,
      },
      now,
    );
    const client = new FormClient(() => server.url);
    client.cookies.set("maillage-session", value);
    const r = await sql<{ id: string }>`
      SELECT id FROM place WHERE commune_code LIKE '23%' AND cardinality(members) = 1 ORDER BY id LIMIT 1`.execute(
      db,
    );
    const id = r.rows[0]?.id as string;

    const form = await client.get(`/admin/lieux/${id}/modifier`);
    if (form.status !== 200) throw new Error(`formulaire : ${form.status}`);
    const publicPage = await client.get(`/lieux/${id}`);
    const script = await client.get("/assets/horaires.js");
    const kb = (s: string) => Buffer.byteLength(s) / 1024;
    report("formulaire de modification : HTML", kb(form.text), "Ko");
    report("formulaire de modification : HTML compressé (gzip)", gzipSync(form.text).length / 1024, "Ko");
    report("script de l'éditeur d'horaires (amélioration progressive)", kb(script.text), "Ko");
    report("référence : page publique du même lieu, HTML", kb(publicPage.text), "Ko");
    report("rapport formulaire / page publique", kb(form.text) / kb(publicPage.text), "×");

    // Sequential saves, alternating two hours, each against the version the form carries (a new version each time).
    const saves: number[] = [];
    const reads: number[] = [];
    let version = 0;
    for (let i = 0; i < SAVES; i++) {
      // The whole form as a browser sends it, the hours changed.
      const body = {
        ...formFields(form.text),
        version: String(version),
        horaires_mode: "texte",
        horaires: i % 2 ? "Mo-Fr 09:00-12:00" : "Mo-Fr 09:00-12:00,14:00-17:00",
      };
      const [t, res] = await time(() => client.post(`/admin/lieux/${id}/modifier`, body));
      if (res.status !== 303)
        throw new Error(`enregistrement ${i} : ${res.status} ${res.text.slice(0, 300)}`);
      saves.push(t);
      version = Number(/enregistre=(\d+)/.exec(res.location ?? "")?.[1] ?? version + 1);
      const [tr] = await time(() => client.get(`/lieux/${id}`));
      reads.push(tr);
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    report(`enregistrement d'une modification (médiane de ${SAVES})`, median(saves), "ms", "< 200 ms");
    report("enregistrement d'une modification (p95)", percentile(sorted(saves), 95), "ms");
    report("référence : lecture de la page publique du lieu (médiane, même passage)", median(reads), "ms");
    report("rapport enregistrement / lecture", median(saves) / median(reads), "×");
  } finally {
    await server.close();
  }
}
