import { config } from 'zod';

// The page's Content-Security-Policy allows no eval. zod (under the SDK and the protocol) probes
// for it with `new Function` as its first object schema is made, and the browser reports the
// probe as a violation even though zod catches it. So: no probe, no eval. Imported first of all,
// before any module that makes a schema.
config({ jitless: true });
