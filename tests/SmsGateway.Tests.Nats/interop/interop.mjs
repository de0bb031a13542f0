// Interop check with the official NATS JavaScript client (@nats-io/transport-node + @nats-io/jetstream).
// Usage:
//   node interop.mjs publish <url> <subject> <count>          publishes "js-<i>" with msgID js-<i> and header sms-key=js; prints the acks as JSON lines
//   node interop.mjs consume <url> <stream> <durable> <count>   fetches <count> messages, acks each, prints {data, subject, key, delivered} JSON lines
import { connect, headers } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";

const [cmd, url, a, b, c] = process.argv.slice(2);
const nc = await connect({ servers: url });
const js = jetstream(nc);
const dec = new TextDecoder();
try {
  if (cmd === "publish") {
    const count = Number(b);
    for (let i = 0; i < count; i++) {
      const h = headers();
      h.set("sms-key", "js");
      h.set("sms-attempt", "1");
      const ack = await js.publish(a, `js-${i}`, { msgID: `js-${i}`, headers: h });
      console.log(JSON.stringify({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate }));
    }
  } else if (cmd === "consume") {
    const count = Number(c);
    const consumer = await js.consumers.get(a, b);
    let got = 0;
    while (got < count) {
      const iter = await consumer.fetch({ max_messages: count - got, expires: 2000 });
      for await (const m of iter) {
        console.log(JSON.stringify({ data: dec.decode(m.data), subject: m.subject, key: m.headers?.get("sms-key") ?? null, delivered: m.info.deliveryCount }));
        m.ack();
        got++;
      }
    }
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
} finally {
  await nc.drain();
}
