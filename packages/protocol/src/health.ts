import { z } from 'zod';
import { ErrorCodeSchema } from './errors.js';

/** What a probe of one dependency found. */
export const HealthCheckSchema = z.enum(['ok', 'unreachable']);
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/** GET /healthz, 200: the server reaches its database and its broadcast broker. */
export const HealthBodySchema = z.object({
  status: z.literal('ok'),
  database: HealthCheckSchema,
  broadcast: HealthCheckSchema,
});
export type HealthBody = z.infer<typeof HealthBodySchema>;

/** GET /healthz, 503: the database or the broker did not answer within the check's deadline. */
export const HealthUnavailableBodySchema = z.object({
  detail: z.string(),
  code: ErrorCodeSchema,
  database: HealthCheckSchema,
  broadcast: HealthCheckSchema,
});
export type HealthUnavailableBody = z.infer<typeof HealthUnavailableBodySchema>;
