/**
 * uninstall's network removal: an engine that still holds endpoints of force-removed containers ("has active
 * endpoints") gets them disconnected and the removal tried again; any other error is reported at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeNetwork } from '../../src/commands/uninstall.js';

function fakeNetwork(failures: string[], endpoints: string[]) {
  const calls: string[] = [];
  const net = {
    async remove() {
      calls.push('remove');
      const f = failures.shift();
      if (f) throw new Error(f);
    },
    async inspect() {
      calls.push('inspect');
      return { Containers: Object.fromEntries(endpoints.map((id) => [id, {}])) };
    },
    async disconnect(o: { Container: string; Force: boolean }) {
      calls.push(`disconnect ${o.Container}${o.Force ? ' force' : ''}`);
    },
  };
  return { net: net as unknown as import('dockerode').Network, calls };
}

test('stale endpoints are disconnected and the removal is tried again', async () => {
  const { net, calls } = fakeNetwork(['(HTTP code 403) unexpected - error while removing network: network x id 1 has active endpoints'], ['ab12']);
  await removeNetwork(net);
  assert.deepEqual(calls, ['remove', 'inspect', 'disconnect ab12 force', 'remove']);
});

test('another error is not retried; endpoints that never go away end in an error after 5 tries', async () => {
  const other = fakeNetwork(['(HTTP code 404) no such network'], []);
  await assert.rejects(removeNetwork(other.net), /no such network/);
  assert.deepEqual(other.calls, ['remove']);
  const stuck = fakeNetwork(Array(5).fill('network has active endpoints'), ['cd34']);
  await assert.rejects(removeNetwork(stuck.net), /active endpoints/);
  assert.equal(stuck.calls.filter((c) => c === 'remove').length, 5);
});
