/** The intelligence store suite on PostgreSQL (scripts/pg.sh's test cluster, a fresh database). */
import { after } from 'node:test';
import { PgStore } from '../../../src/store/postgres/pg-store.js';
import { testServer, type TestServer } from '../pg-server.js';
import { intelSuite } from './suite.js';

let server: Promise<TestServer> | undefined;
after(async () => { if (server) await (await server).release(); });

intelSuite('PostgreSQL', async () => PgStore.open(await (await (server ??= testServer())).database()));
