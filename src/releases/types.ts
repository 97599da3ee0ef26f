/**
 * The shape of a release's data. Each supported release is one module in this folder plus its templates
 * in templates/<tag>/; the steps read only these fields and never compare tags.
 */

/** An image the install pulls, as the official compose file of the release names it. */
export interface PulledImage {
  /** Name the templates and steps use: `images.<key>`. */
  key: string;
  /** Repository and tag within the registry. */
  image: string;
  /** Registry host when not Docker Hub (e.g. ghcr.io). */
  registry?: string;
  /** The `.env` variable the official release carries for it: the whole image name, or only its tag (20.7.0). */
  env?: { name: string; holds: 'image' | 'tag' };
  /** Compose services that run it (none: only a base for a local build). */
  services: string[];
}

/** A base image: one of the release's pulled images (by key), or an image built before it. */
export type ImageRef = { pulled: string } | { built: string };

/** An image built on this host from rendered files. */
export interface BuiltImage {
  /** Local image name (`image:` in the compose file). */
  image: string;
  /** The service whose `build:` section builds it (`compose build <service>`). */
  service: string;
  /** Rendered files it is built from, relative to the install dir: a change rebuilds it. */
  files: string[];
  base: ImageRef;
  /** Compose services that run it. */
  services: string[];
}

/**
 * A long-running consumer of a release's compose file (`templateData`): its service name, its arguments,
 * whether it keeps the heartbeat file its healthcheck removes, and its Compose profile.
 */
export interface Consumer {
  name: string;
  command: string;
  heartbeat: boolean;
  profile?: string;
}

/** A rendered file: where it lands, its template (relative to the package root) and its mode. */
export interface FileSpec {
  path: string;
  template: string;
  mode?: number;
  /** Holds a secret and is read inside the Sentry containers: 0600, owned by the image's sentry user. */
  containerSecret?: boolean;
  /**
   * Holds the external Redis server's password when the answers give one (answers redis.external): then it is a
   * secret of the container that reads it, 0600 and owned by this uid (the user that service runs as).
   */
  redisSecretOwner?: number;
}

/** Bind-mounted files and the services that read them: a change restarts those services. */
export interface MountGroup {
  name: string;
  /** Relative to the install dir. */
  files: string[];
  /** The TLS certificate and key of the answers belong to this group too. */
  tls?: boolean;
  services: string[];
}

/** Work after the volumes exist and before the migrations; each kind is implemented once, in the bootstrap step. */
export type BootstrapAction =
  /** `snuba-api <args>` for each command, once per Snuba image; with `zookeeper`, ZOOKEEPER-3056 is repaired first. */
  | { kind: 'snuba-bootstrap'; commands: string[][]; zookeeper?: boolean }
  /** `relay credentials generate`, once: the file is kept forever, owned by the uid Relay runs as. */
  | { kind: 'relay-credentials'; uid: number }
  /**
   * A rendered file must name `require`; naming `refuse` instead stops the install (exit 3) with `why`.
   * Reads the file only, so it runs on every install.
   */
  | { kind: 'file-check'; file: string; require: string; refuse: string; why: string }
  /** An empty IP geolocation database at `path` when there is none (Relay and Sentry read it); an existing one is kept. */
  | { kind: 'geoip-database'; path: string }
  /** A Python script run by `sentry exec` (on stdin) in the web service, once per Sentry image, before the migrations (`id` names it in the state). */
  | { kind: 'sentry-script'; id: string; script: string }
  /**
   * S3 buckets in the release's object store (`service`), each with an expiry of `retention.days` (a lifecycle
   * rule), created when missing. The requests run in a one-off container of `runIn` (python3, on the compose
   * network), so nothing is installed into the store's container; a bucket with `profile` only with that profile.
   */
  | { kind: 's3-buckets'; service: string; endpoint: string; accessKey: string; secretKey: string; runIn: string; buckets: Array<{ name: string; profile?: Profile }> }
  /** `up --wait` of these services: started and healthy by their compose healthchecks before the next step. */
  | { kind: 'compose-wait'; services: string[] }
  /**
   * Kafka topics the release's consumers read, created when missing: `kafka-topics --list`, then `--create` for
   * each missing one, in one-off containers of `service` against `bootstrapServer` (Kafka auto-creation is off).
   */
  | { kind: 'kafka-topics'; service: string; bootstrapServer: string; topics: string[] };

/**
 * What `up` waits for before it reports Sentry started: health through the nginx vhost, or every service of
 * the active profiles that has a compose healthcheck reporting healthy (`up --wait`).
 */
export type Wait = { kind: 'vhost'; path: string } | { kind: 'compose-healthy' };

/** One-off data steps, implemented in src/upgrade/one-offs/. */
export type OneOffId =
  | 'file-storage-to-data-files'
  | 'postgres-9.5-to-9.6'
  | 'postgres-9.6-to-14'
  | 'zookeeper-log-volume'
  | 'tsdb-switchover'
  | 'clickhouse-21.8-to-23.3'
  | 'clickhouse-23.8-to-24.8'
  | 'kafka-zookeeper-to-kraft';

export interface OneOffUse {
  id: OneOffId;
  /** Only when the hop starts before this release (the layout it fixes changed there). */
  onlyFromBefore?: string;
}

/** How an upgrade arrives at this release. */
export interface Arrival {
  /** Oldest release this one is reached from in one hop (official: "you need to be on at least 9.1.2"). */
  from: string;
  oneOffs: OneOffUse[];
  /**
   * Work the official installer does for this hop that this tool does not do yet, in words: while there is any,
   * the hop is refused before anything changes.
   */
  unimplemented?: string[];
  /**
   * Data volumes the hop's one-off work copies or rewrites (a scratch copy, or the old volume kept for a rollback
   * while the new one fills): at the hop's worst moment each needs its own size again on the disk Docker stores
   * volumes on. `why` says which step, for the dry run and the refusal.
   */
  copies?: Array<{ volume: string; why: string }>;
}

/**
 * Migrations that show a database has reached a release: Sentry's `sentry` app, recorded in South's
 * `south_migrationhistory` (9.1.2) or Django's `django_migrations` (10.0.0 on). Any one name is enough (a
 * pre-squash name and its squashed twin). A later release's names imply this one: squashes replace history.
 */
export interface MigrationMarks {
  table: 'south_migrationhistory' | 'django_migrations';
  names: string[];
}

/** The official installer's Compose profiles (24.8.0 and later). */
export type Profile = 'feature-complete' | 'errors-only';

/** A database column an answer is stored in, and its size in characters (varchar(max)). */
export interface ColumnLimit {
  column: string;
  max: number;
}

export interface Release<Tag extends string = string> {
  tag: Tag;
  /** Compose project name the official release uses. */
  projectName: string;
  /** uid of the `sentry` user inside the Sentry image: mounted files holding secrets are owned by it, mode 0600. */
  sentryUid: number;
  /** Where Sentry reads its secret key: `.env` (9.1.2) or `sentry/config.yml`. */
  secretKeyIn: 'env' | 'config';
  /** Parts of the stack beyond Sentry itself. */
  components: { snuba: boolean; relay: boolean; symbolicator: boolean };
  /** Whether the release runs ClickHouse (SSE 4.2 matters). */
  clickhouse: boolean;
  /** Pulled images, in pull order. */
  images: PulledImage[];
  /** Locally built images, in build order (a base built here comes first). */
  builtImages: BuiltImage[];
  /** The image the Sentry services (web, migrations) run. */
  sentryImage: ImageRef;
  /** Services that read sentry/config.yml and sentry.conf.py. */
  sentryServices: string[];
  /** External volumes the installer creates. */
  externalVolumes: string[];
  /** Rendered files, in render order. */
  files: FileSpec[];
  mountGroups: MountGroup[];
  bootstrap: BootstrapAction[];
  /** The migrations command run in a one-off `web` container; absent: `sentry upgrade --noinput`. */
  migrate?: string[];
  /** Requirements the release's Sentry image needs beyond the answers' plugins (pinned). */
  sentryRequirements?: string[];
  waits: Wait[];
  /** The compose file's `ulimits` (the engine must be able to set them; the `ulimits` check). */
  ulimits?: Record<string, Record<string, { soft: number; hard: number }>>;
  /** Shared secrets between its services, generated once (CSPRNG) and kept in secrets.json: `secrets.<name>` in templates. */
  generatedSecrets?: string[];
  /** Lists the release's templates iterate over (`data.<name>`), e.g. its consumers. */
  templateData?: Record<string, unknown>;
  /** Answers the release stores in its database, by answer path, with the column sizes of its schema. */
  answerLimits: Record<string, ColumnLimit[]>;
  /**
   * Compose profiles of the release (`COMPOSE_PROFILES` in `.env`): the one the official `.env` sets, and
   * each profile the answers may choose. Absent: the release has none, and the answer `profile` is refused.
   */
  profiles?: { default: Profile; offered: Profile[] };
  /** Absent for the oldest release: nothing upgrades to it. */
  arrival?: Arrival;
  /**
   * The migration names that identify this release in its database (what Sentry's own `upgrade` checks at the
   * hard stop); absent where no migration tells it from the release before (the range then spans both).
   */
  databaseMarks?: MigrationMarks;
  /** Further `.env` variables of the official release, with its values (healthcheck timings, ...). */
  env?: Array<{ name: string; value: string }>;
}
