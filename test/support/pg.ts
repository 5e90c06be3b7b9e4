import pg from "pg";
import "./db.ts"; // fails at once when MAILLAGE_REQUIRE_POSTGRES=1 and DATABASE_URL is missing

/** The PostgreSQL of the test run, if any (DATABASE_URL). */
export const POSTGRES_URL = process.env.DATABASE_URL || undefined;

/**
 * An empty schema of the test database, and a DATABASE_URL that works in it (`options=-c search_path=…`), as a
 * user would point Maillage at a database of its own; dropped by `drop()`.
 */
export async function freshSchema(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!POSTGRES_URL) throw new Error("DATABASE_URL is not set");
  const schema = `${label}_${process.pid}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}
