import pg from 'pg';
import { TEST_DATABASE_URL } from '../store/testDatabases.ts';

/** A connection as `role` (trust auth on the test server; a real deployment gives the role a password). */
export async function connectAs(role: string): Promise<pg.Client> {
  const url = new URL(TEST_DATABASE_URL);
  url.username = role;
  url.password = '';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}
