import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chartSpec, renderChart } from './chart.js';
import { renderMarkdown } from './markdown.js';
import type { BenchResults } from './results.js';
import { evaluateGoals, summarise } from './summary.js';

/** The summary and goals of a run, worked out from its scenario results. */
export function withSummary(results: Omit<BenchResults, 'summary' | 'goals'>): BenchResults {
  return {
    ...results,
    summary: summarise(results.fanout, results.connections),
    goals: evaluateGoals(
      results.cpu ?? null,
      results.fanout,
      results.connections,
      results.options.p99LimitMs,
    ),
  };
}

/**
 * Writes results.json, results.md and, when there are fan-out results, latency.svg and
 * latency.png into `outDir`. Answers the markdown.
 */
export async function writeReport(results: BenchResults, outDir: string): Promise<string> {
  await writeFile(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  await writeFile(path.join(outDir, 'results.md'), markdown);
  if (results.fanout && results.fanout.series.length > 0) {
    const { machine, options } = results;
    const subtitle =
      `${machine.cpus} cores shared by servers and load, Node ${machine.node}, ${results.startedAt.slice(0, 10)}; ` +
      `red: p99 limit ${options.p99LimitMs} ms`;
    const { svg, png } = await renderChart(
      chartSpec(results.fanout, options.fanout.rates, options.p99LimitMs, subtitle),
    );
    await writeFile(path.join(outDir, 'latency.svg'), svg);
    await writeFile(path.join(outDir, 'latency.png'), png);
  }
  return markdown;
}
