/**
 * The books of the pass numérique: for every programme, the balance derived from the ledger compared with the
 * cheques' states (`imbalances`). What `maillage pass check` prints, and what the tests assert after every sequence.
 */
import type { Db } from "../platform/db.ts";
import { balanceOf, CHEQUE_STATES, imbalances, type StateCounts } from "./model.ts";
import { ledgerSums, programmeFaces, stateCounts } from "./store.ts";

/** What is wrong, one line per programme with a problem (empty when every programme balances). */
export async function checkBooks(db: Db): Promise<string[]> {
  const [sums, states, programmes] = await Promise.all([ledgerSums(db), stateCounts(db), programmeFaces(db)]);
  const none = Object.fromEntries(CHEQUE_STATES.map((k) => [k, 0])) as StateCounts;
  const out: string[] = [];
  for (const p of programmes) {
    const wrong = imbalances(balanceOf(sums.get(p.id) ?? {}), states.get(p.id) ?? none, p.faceValueCents);
    if (wrong.length > 0) out.push(`Programme ${p.id} « ${p.name} » : ${wrong.join(" ; ")}`);
  }
  return out;
}
