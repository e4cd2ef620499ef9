// The packages from ESM: every export of every package resolves and loads, then the end-to-end run.
import { readFileSync } from 'node:fs';
import Hapi from '@hapi/hapi';
import * as sdk from '@hirechat/client-sdk';
import * as protocol from '@hirechat/protocol';
import * as serverKit from '@hirechat/server-kit';
import * as testing from '@hirechat/server-kit/testing';
import run from './scenario.cjs';

const resolved = {};
for (const name of process.argv.slice(2)) {
  const manifest = JSON.parse(readFileSync(new URL(import.meta.resolve(`${name}/package.json`))));
  for (const subpath of Object.keys(manifest.exports)) {
    const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
    resolved[specifier] = new URL(import.meta.resolve(specifier)).pathname;
    if (!subpath.endsWith('.json')) await import(specifier);
  }
}
console.log(JSON.stringify({ resolved }));
await run({ Hapi, protocol, serverKit, testing, sdk });
