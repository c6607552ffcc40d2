// CPU time of the workerd processes a local `wrangler dev` runs, for benchmarks that send it
// requests one at a time: read before and after each request, the difference is what workerd
// spent on it (HTTP, the JS host, the wasm, local D1), an upper bound on the Worker's own CPU.
import { readdirSync, readFileSync } from 'node:fs';

export function cpuNs(pids) {
  let total = 0;
  for (const pid of pids) {
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch { /* that process is gone */ }
    for (const t of tasks) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch { /* thread exited */ }
    }
  }
  return total;
}

// The workerd processes under this run's wrangler (wrangler dev starts more than one).
export function workerdPids(root) {
  const parent = new Map();
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const isUnder = (p) => { for (let q = p; q > 1; q = parent.get(q) ?? 0) if (q === root) return true; return false; };
  const pids = [...parent.keys()].filter((p) => isUnder(p) &&
    readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('workerd'));
  if (!pids.length) throw new Error('no workerd process found under wrangler');
  return pids;
}
