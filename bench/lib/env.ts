/** The machine a report was measured on: figures mean little without it. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { detectCgroupMode } from '../../runtime/cgroups/detect.ts';
import { projectRoot } from '../../runtime/init/binary.ts';
import type { Environment } from './rows.ts';

function cpuModel(): string {
  const model = os.cpus()[0]?.model?.trim();
  if (model) return model;
  // arm64 /proc/cpuinfo has no "model name"; fall back to what lscpu knows.
  const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  return /^(?:model name|Hardware|CPU part)\s*:\s*(.+)$/m.exec(info)?.[1] ?? 'unknown';
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function environment(quick: boolean, now = new Date()): Environment {
  return {
    date: now.toISOString(),
    host: os.hostname(),
    kernel: os.release(),
    arch: os.arch(),
    cpu: cpuModel(),
    cpus: os.cpus().length,
    node: process.version,
    cgroupMode: detectCgroupMode(),
    commit: gitCommit(),
    load: [os.loadavg()[0]!, os.loadavg()[0]!],
    nice: os.getPriority(),
    quick,
  };
}
