// Drives Segment's Node.js SDK (@segment/analytics-node, installed by scripts/setup.sh) against a
// collector: every call type once, one messageId sent twice, then a flush. Prints one JSON line:
// {"requests": <HTTP requests the SDK made>, "errors": ["<code>: <reason>", ...]}.
// Usage: node segment_sdk.js COLLECTOR_URL WRITE_KEY
const { Analytics } = require('@segment/analytics-node');

async function main() {
  const [host, writeKey] = process.argv.slice(2);
  const out = { requests: 0, errors: [] };
  const analytics = new Analytics({ writeKey, host, flushAt: 4, flushInterval: 100, maxRetries: 1 });
  analytics.on('http_request', () => { out.requests += 1; });
  analytics.on('error', (e) => { out.errors.push(`${e.code}: ${e.reason}`); });

  analytics.identify({ userId: 'u1', traits: { name: 'Ada', plan: 'pro' } });
  analytics.track({ userId: 'u1', event: 'Sword Purchased', properties: { color: 'red', price: 9.5 } });
  analytics.page({ anonymousId: 'anon-1', name: 'Shop', properties: { path: '/shop' } });
  analytics.screen({ userId: 'u1', name: 'Inventory' });
  analytics.group({ userId: 'u1', groupId: 'g1', traits: { guild: 'Knights' } });
  analytics.alias({ userId: 'u2', previousId: 'u1' });
  const levelUp = {
    anonymousId: 'anon-1',
    event: 'Level Up',
    messageId: 'level-up-1',
    properties: { level: 7, items: [{ name: 'katana', qty: 1 }] },
    timestamp: new Date('2026-01-02T03:04:05Z'),
  };
  analytics.track(levelUp);
  await analytics.flush({ timeout: 10000 });  // the retry arrives in a later request
  analytics.track(levelUp);
  await analytics.closeAndFlush({ timeout: 10000 });
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
