/**
 * `npm run bi:sql -- views` installs the read-only BI views; `npm run bi:sql -- grant <role>
 * <workspace id>` gives a database role one workspace's rows (password from BI_ROLE_PASSWORD);
 * `npm run bi:sql -- drop <role>` takes it away. Connects with DATABASE_URL as a role that owns the
 * store (the gateway's); the store schema is SWITCHBOARD_DATABASE_SCHEMA (default public), the
 * views' schema SWITCHBOARD_BI_SCHEMA (default switchboard_bi). See docs/bi.md.
 */
import { dropWorkspaceRole, grantWorkspaceRole, installBiViews } from '../../src/analytics/biViews.ts';
import { openDatabase } from '../../src/store/openDatabase.ts';

const [command, ...args] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('bi:sql needs DATABASE_URL (the views are for PostgreSQL; PGlite has no roles or network port)');
  process.exit(2);
}
const schemas = { storeSchema: process.env.SWITCHBOARD_DATABASE_SCHEMA ?? 'public', viewSchema: process.env.SWITCHBOARD_BI_SCHEMA ?? 'switchboard_bi' };
const db = await openDatabase({ databaseUrl, schema: schemas.storeSchema });
try {
  if (command === 'views') {
    await installBiViews(db, schemas);
    console.log(`views installed in ${schemas.viewSchema}`);
  } else if (command === 'grant' && args.length === 2) {
    const [role = '', workspaceId = ''] = args;
    await grantWorkspaceRole(db, schemas, { role, workspaceId, ...(process.env.BI_ROLE_PASSWORD && { password: process.env.BI_ROLE_PASSWORD }) });
    console.log(`${role} reads workspace ${workspaceId} in ${schemas.viewSchema}`);
  } else if (command === 'drop' && args.length === 1) {
    await dropWorkspaceRole(db, schemas, args[0] ?? '');
    console.log(`${args[0]} dropped`);
  } else {
    console.error('usage: bi:sql views | grant <role> <workspace id> | drop <role>');
    process.exitCode = 2;
  }
} finally {
  await db.close();
}
