import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { FanoutResult } from '../scenarios/fanout.js';
import { SERVER_KINDS, SERVER_LABELS } from '../wire.js';

/*
 * latency.png: p50 and p99 delivery latency against the rate, one panel per fan-out shape, the
 * servers in fixed colours, the p99 limit as a red rule. A vega-lite spec rendered to SVG
 * by vega's headless view and to PNG by resvg: no browser, no canvas.
 */

const COLOURS: Record<string, string> = {
  [SERVER_LABELS.hirechat]: '#1f77b4',
  [SERVER_LABELS.floor]: '#2ca02c',
  [SERVER_LABELS.ws]: '#7f7f7f',
  [SERVER_LABELS.socketio]: '#ff7f0e',
};

export function chartSpec(
  fanout: FanoutResult,
  ladder: number[],
  p99LimitMs: number,
  subtitle: string,
): TopLevelSpec {
  const values = fanout.series.flatMap((series) =>
    series.steps.flatMap((step) =>
      (['p50', 'p99'] as const).map((percentile) => ({
        shape: `${series.rooms} room${series.rooms === 1 ? '' : 's'} × ${series.members}`,
        server: SERVER_LABELS[series.server],
        rate: step.rate,
        percentile,
        // A log scale cannot show zero; a hundredth of a millisecond is below anything measured.
        latency: Math.max(0.01, step.latency[percentile]),
        step: step.held ? 'held' : 'broke',
      })),
    ),
  );
  const shapes = [...new Set(values.map((value) => value.shape))];
  const servers = SERVER_KINDS.map((kind) => SERVER_LABELS[kind]);
  const tried = Math.max(...values.map((value) => value.rate));
  // Ticks at the ladder's rates: a log axis of base 2 otherwise labels odd in-between values.
  const ticks = ladder.filter((rate) => rate <= tried);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Fan-out: delivery latency against message rate',
      subtitle,
      anchor: 'start',
      fontSize: 16,
    },
    data: { values },
    facet: { column: { field: 'shape', type: 'nominal', sort: shapes, title: 'rooms × members per room' } },
    spec: {
      width: 300,
      height: 260,
      layer: [
        {
          mark: { type: 'line', point: { size: 50, filled: true } },
          encoding: {
            x: {
              field: 'rate',
              type: 'quantitative',
              scale: { type: 'log', base: 2 },
              axis: { title: 'messages per second (all rooms)', format: '~s', values: ticks },
            },
            y: {
              field: 'latency',
              type: 'quantitative',
              scale: { type: 'log' },
              axis: { title: 'latency (ms, log)', format: '~g', tickCount: 6 },
            },
            color: {
              field: 'server',
              type: 'nominal',
              scale: { domain: servers, range: servers.map((server) => COLOURS[server] ?? '#000') },
              legend: { title: 'server' },
            },
            strokeDash: {
              field: 'percentile',
              type: 'nominal',
              scale: {
                domain: ['p50', 'p99'],
                range: [
                  [1, 0],
                  [6, 3],
                ],
              },
              legend: {
                title: 'percentile',
                symbolType: 'stroke',
                symbolStrokeColor: '#333',
                symbolStrokeWidth: 2,
                symbolSize: 400,
              },
            },
            shape: {
              field: 'step',
              type: 'nominal',
              scale: { domain: ['held', 'broke'], range: ['circle', 'cross'] },
              legend: { title: 'step' },
            },
            detail: { field: 'percentile' },
          },
        },
        {
          mark: { type: 'rule', color: '#d62728', strokeDash: [2, 2] },
          encoding: { y: { datum: p99LimitMs } },
        },
      ],
    },
    // Each shape breaks at its own rates; a shared axis would squeeze the busy ones into a corner.
    resolve: { scale: { x: 'independent' } },
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', background: 'white' },
  };
}

export async function renderChart(spec: TopLevelSpec): Promise<{ svg: string; png: Buffer }> {
  const compiled = compile(spec).spec;
  // vega-lite paints every legend symbol as a filled point here (the lines have filled points),
  // which leaves the dash legend's strokes invisible: give them a stroke.
  for (const legend of compiled.legends ?? []) {
    const update = legend.strokeDash ? legend.encode?.symbols?.update : undefined;
    if (update) Object.assign(update, { stroke: { value: '#333' }, fill: { value: 'transparent' } });
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: 2 },
      background: 'white',
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    })
      .render()
      .asPng();
    return { svg, png };
  } finally {
    view.finalize();
  }
}
