/**
 * Streams a command's stdin and stdout through the Engine API, byte for byte: database dumps are binary
 * and can be larger than memory, so they never pass through a string or through compose's log capture.
 */
import { createReadStream, createWriteStream, openSync, fsyncSync, closeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { untimedDocker as docker } from './untimed-docker.js';

export interface StreamResult {
  exitCode: number;
  /** stderr (and, without a file for it, stdout), for messages. */
  output: string;
  bytes: number;
}

function collector(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      into.push(Buffer.from(chunk));
      cb();
    },
  });
}

/** Runs cmd in a running container; stdout is written to file (created 0600, fsynced), stderr is returned. */
export async function execToFile(containerId: string, cmd: string[], file: string): Promise<StreamResult> {
  const d = await docker();
  const exec = await d.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const sink = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const errs: Buffer[] = [];
  let bytes = 0;
  const counted = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      // Respect the file's backpressure: a slow disk must not make the dump pile up in memory.
      if (sink.write(chunk)) cb();
      else sink.once('drain', () => cb());
    },
  });
  await new Promise<void>((resolve, reject) => {
    d.modem.demuxStream(stream, counted, collector(errs));
    stream.on('end', () => resolve());
    stream.on('error', reject);
    sink.on('error', reject);
  });
  // Every chunk already queued must reach the file before it is closed.
  await new Promise<void>((resolve, reject) => counted.end((err?: Error | null) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const fd = openSync(file, 'r');
  fsyncSync(fd);
  closeSync(fd);
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? 1, output: Buffer.concat(errs).toString(), bytes };
}

/** Runs cmd in a running container with a file (or text) as its stdin; returns its exit code and output. */
export async function execWithInput(containerId: string, cmd: string[], input: { file: string } | { text: string }): Promise<StreamResult> {
  const d = await docker();
  const exec = await d.getContainer(containerId).exec({ Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: true });
  const out: Buffer[] = [];
  let bytes = 0;
  const ended = new Promise<void>((resolve, reject) => {
    d.modem.demuxStream(stream, collector(out), collector(out));
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  if ('text' in input) {
    bytes = Buffer.byteLength(input.text);
    stream.end(input.text);
  } else {
    const src = createReadStream(input.file);
    src.on('data', (c) => (bytes += c.length));
    // end() after the last byte half-closes the connection: the command sees EOF on its stdin.
    src.pipe(stream);
  }
  await ended;
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? 1, output: Buffer.concat(out).toString(), bytes };
}
