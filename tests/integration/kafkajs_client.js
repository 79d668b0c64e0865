// Drives KafkaJS (installed by scripts/setup.sh) against a broker: admin creates a topic, a producer
// sends keyed messages with acks=-1, a group consumer reads them all and commits, admin fetches the
// group's offsets. Prints one JSON line with what each step saw.
// Usage: node kafkajs_client.js HOST:PORT TOPIC COUNT
const { Kafka, logLevel, Partitioners } = require('kafkajs');

async function main() {
  const [broker, topic, countText] = process.argv.slice(2);
  const count = Number(countText);
  const kafka = new Kafka({ clientId: 'kafkajs-test', brokers: [broker], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = Array.from({ length: count }, (_, i) => ({
    key: `user-${i % 7}`,
    value: JSON.stringify({ event_type: 'kafkajs', i }),
  }));
  const sent = await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();

  const group = `${topic}-group`;
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${seen.length} of ${count}`)), 30000);
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, key: message.key.toString(), i: JSON.parse(message.value).i });
        if (seen.length === count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();  // commits the consumed offsets
  const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  await admin.disconnect();
  console.log(JSON.stringify({
    created,
    partitions: metadata.topics[0].partitions.length,
    produced: sent.map((r) => ({ partition: r.partition, error: r.errorCode })),
    consumed: seen,
    committed: offsets[0].partitions.map((p) => ({ partition: p.partition, offset: Number(p.offset) })),
  }));
}

main().then(() => process.exit(0)).catch((e) => {
  console.error(e);
  process.exit(1);
});
