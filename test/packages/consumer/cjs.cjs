'use strict';
// The packages from CommonJS: every export of every package resolves and loads, then the end-to-end run.
const Hapi = require('@hapi/hapi');
const sdk = require('@hirechat/client-sdk');
const protocol = require('@hirechat/protocol');
const serverKit = require('@hirechat/server-kit');
const testing = require('@hirechat/server-kit/testing');
const run = require('./scenario.cjs');

const resolved = {};
for (const name of process.argv.slice(2)) {
  const manifest = require(`${name}/package.json`);
  for (const subpath of Object.keys(manifest.exports)) {
    const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
    resolved[specifier] = require.resolve(specifier);
    require(specifier);
  }
}
console.log(JSON.stringify({ resolved }));
run({ Hapi, protocol, serverKit, testing, sdk }).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
