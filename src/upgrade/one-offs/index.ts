/** The one-off steps by id (the ids hops.ts names). */
import type { OneOffId } from '../hops.js';
import { fileStorageMove } from './file-storage.js';
import { pgMajorOneOff, PG_9_5_TO_9_6 } from './postgres-major.js';
import { pg14OneOff } from './postgres-14.js';
import { zookeeperLogOneOff } from './zookeeper-log.js';
import { tsdbSwitchoverOneOff } from './tsdb.js';
import type { OneOff } from './types.js';
import { kafkaKraftOneOff } from './kafka-kraft.js';
import { clickhouseStepsOneOff, CLICKHOUSE_21_8_TO_23_3, CLICKHOUSE_23_8_TO_24_8 } from './clickhouse-steps.js';

export const ONE_OFFS: Record<OneOffId, OneOff> = {
  'file-storage-to-data-files': fileStorageMove,
  'postgres-9.5-to-9.6': pgMajorOneOff('postgres-9.5-to-9.6', PG_9_5_TO_9_6),
  'postgres-9.6-to-14': pg14OneOff(),
  'zookeeper-log-volume': zookeeperLogOneOff(),
  'tsdb-switchover': tsdbSwitchoverOneOff(),
  'clickhouse-21.8-to-23.3': clickhouseStepsOneOff('clickhouse-21.8-to-23.3', CLICKHOUSE_21_8_TO_23_3),
  'clickhouse-23.8-to-24.8': clickhouseStepsOneOff('clickhouse-23.8-to-24.8', CLICKHOUSE_23_8_TO_24_8),
  'kafka-zookeeper-to-kraft': kafkaKraftOneOff(),
};

export type { OneOff, OneOffEnv, OneOffResult } from './types.js';
