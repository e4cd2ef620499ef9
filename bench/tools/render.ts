import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResults } from '../src/report/results.js';
import { withSummary, writeReport } from '../src/report/write.js';

/*
 * Renders a run's results.md and latency chart again from its results.json, with the current
 * report code (the summary and goals are worked out afresh; the measurements are not touched).
 *
 *   node --conditions=@hirechat/source --import tsx bench/tools/render.ts bench/results/<run>
 */

const [dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: render.ts <results folder>');
  process.exit(2);
}
const results = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as BenchResults;
await writeReport(withSummary(results), dir);
console.log(`rendered ${path.join(dir, 'results.md')}`);
