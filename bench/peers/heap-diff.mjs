// Compares two V8 heap snapshots of one server (before and after N idle connections, as the idle
// scenario writes them with PEERS_SNAPSHOTS): objects and bytes per connection by constructor,
// biggest first. `node bench/peers/heap-diff.mjs BEFORE AFTER N [rows]`.
import { readFileSync } from 'node:fs';

/** Count and self size per `type:name` (objects by constructor name, strings and code by type). */
function census(path) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(path, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byKey = new Map();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]];
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden';
    const key = named ? `${type}:${strings[nodes[i + nameAt]]}` : type;
    const entry = byKey.get(key) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += nodes[i + sizeAt];
    byKey.set(key, entry);
  }
  return byKey;
}

const [beforePath, afterPath, connections, rows = '40'] = process.argv.slice(2);
if (!afterPath || !connections) throw new Error('usage: heap-diff.mjs BEFORE AFTER CONNECTIONS [ROWS]');
const n = Number(connections);
const before = census(beforePath);
const after = census(afterPath);
const diff = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, size: 0 };
  return { key, count: (a.count - b.count) / n, bytes: (a.size - b.size) / n };
});
diff.sort((x, y) => y.bytes - x.bytes);
const total = diff.reduce((s, d) => s + d.bytes, 0);
console.log(`per connection: ${total.toFixed(0)} bytes of V8 heap (self sizes), ${n} connections`);
console.log('| bytes/conn | objects/conn | type:constructor |\n| ---: | ---: | --- |');
for (const d of diff.slice(0, Number(rows)))
  console.log(`| ${d.bytes.toFixed(1)} | ${d.count.toFixed(2)} | ${d.key} |`);
