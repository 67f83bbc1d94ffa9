/** The intelligence store suite on a SQLite file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/store/store.js';
import { intelSuite } from './suite.js';

intelSuite('SQLite', () => openStore({ sqlite: join(mkdtempSync(join(tmpdir(), 'capdex-intel-db-')), 'capdex.db') }));
