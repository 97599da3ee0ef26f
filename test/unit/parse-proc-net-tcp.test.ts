import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcNetTcp } from '../../checks/host/parse-proc-net-tcp.js';

// Lines as this kernel prints them (header + entries; 0A = LISTEN, 01 = ESTABLISHED).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20384 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0
   2: 0100007F:A1B2 0100007F:0050 01 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
`;

test('reads IPv4 listeners with their address, port and inode; skips connections', () => {
  assert.deepEqual(parseProcNetTcp(TCP), [
    { address: '0.0.0.0', port: 2024, inode: 20384 },
    { address: '127.0.0.1', port: 80, inode: 31337 },
  ]);
});

test('reads IPv6 listeners (wildcard, loopback, v4-mapped)', () => {
  assert.deepEqual(parseProcNetTcp(TCP6), [
    { address: '::', port: 443, inode: 4242 },
    { address: '::1', port: 8080, inode: 4343 },
    { address: '::ffff:127.0.0.1', port: 9090, inode: 4444 },
  ]);
});

test('empty or header-only input has no listeners', () => {
  assert.deepEqual(parseProcNetTcp(''), []);
  assert.deepEqual(parseProcNetTcp(TCP.split('\n')[0]), []);
});
