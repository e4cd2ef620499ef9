import autocannon from 'autocannon';
import { Histogram, type LatencySummary } from '../src/histogram.js';
import { serve } from '../src/rpc.js';

/*
 * REST load with autocannon, in its own process. autocannon's own latency histogram keeps whole
 * milliseconds; the answer times are recorded here as well, to the microsecond, since a list page
 * takes well under one.
 */

export interface HttpLoadRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  form?: Record<string, { type: 'text'; value: string } | { type: 'file'; path: string }>;
  seconds: number;
  connections: number;
}

export interface HttpLoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** 2xx answers per second. */
  okPerSec: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
}

async function run(request: HttpLoadRequest): Promise<HttpLoadResult> {
  const latency = new Histogram();
  const statuses: Record<string, number> = {};
  let ok = 0;
  const instance = autocannon({
    url: request.url,
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.form === undefined ? {} : { form: request.form }),
    connections: request.connections,
    duration: request.seconds,
    timeout: 30,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) {
      ok++;
      latency.recordMs(responseTimeMs);
    }
  });
  const result = await instance;
  return {
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    okPerSec: result.duration > 0 ? ok / result.duration : 0,
    latency: latency.summary(),
    statuses,
  };
}

serve({ ping: () => true, run });
