/**
 * Runs a command on a real pseudo-terminal (python3's pty module) and answers it like a person: wait
 * until the screen shows a prompt, type, wait for the next one. The interactive prompts only appear
 * when stdin is a TTY, so this is how a test reaches them.
 */
import { spawnSync } from 'node:child_process';

export interface PtyStep {
  /** a regular expression the screen (ANSI codes removed) must show after the previous step's match */
  expect: string;
  /** what is typed then: text, "\r" for Enter, "\x1b[A" for the up arrow, "\x03" for Ctrl-C */
  send: string;
}

export interface PtyRun {
  code: number | null;
  signal: number | null;
  /** everything the program wrote to the terminal, ANSI codes removed */
  screen: string;
  /** the step whose prompt never appeared, if one did not */
  unmatched: string | null;
}

const DRIVER = String.raw`
import json, os, pty, re, select, signal, sys, time
spec = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec["cwd"])
    os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
ansi = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
raw = b""
deadline = time.time() + spec["timeoutSeconds"]
def screen():
    return ansi.sub("", raw.decode("utf-8", "replace"))
def pump(wait):
    global raw
    r, _, _ = select.select([fd], [], [], wait)
    if not r:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    raw += data
    return True
pos = 0
unmatched = None
alive = True
for step in spec["steps"]:
    rx = re.compile(step["expect"])
    while True:
        m = rx.search(screen(), pos)
        if m:
            pos = m.end()
            break
        if not alive or time.time() > deadline:
            unmatched = step["expect"]
            break
        alive = pump(0.1)
    if unmatched:
        break
    time.sleep(0.15)  # let the prompt finish drawing before typing, as a person would
    os.write(fd, step["send"].encode())
while alive and time.time() < deadline:
    alive = pump(0.1)
code = sig = None
end = time.time() + 5
while time.time() < end:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        break
    time.sleep(0.05)
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print(json.dumps({"code": code, "signal": sig, "screen": screen(), "unmatched": unmatched}))
`;

export function runOnPty(argv: string[], steps: PtyStep[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutSeconds?: number }): PtyRun {
  const spec = { argv, steps, cwd: opts.cwd, env: opts.env, timeoutSeconds: opts.timeoutSeconds ?? 60 };
  const r = spawnSync('python3', ['-c', DRIVER], { input: JSON.stringify(spec), encoding: 'utf8', timeout: (spec.timeoutSeconds + 15) * 1000 });
  if (r.status !== 0) throw new Error(`pty driver failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PtyRun;
}
