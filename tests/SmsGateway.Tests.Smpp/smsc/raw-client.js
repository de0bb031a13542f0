'use strict';
// The SMSC's own ceiling: the npm `smpp` package's client binds one transceiver and keeps `window` submit_sm
// outstanding until `count` are answered. Prints {"count":N,"window":W,"seconds":S,"per_second":R}.
//   node raw-client.js --port P --count N --window W [--system-id ID --password PW]
const smpp = require('smpp');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const count = Number(args.count || 10000);
const window = Number(args.window || 50);
const session = smpp.connect({ host: '127.0.0.1', port: Number(args.port) });
session.socket.setNoDelay(true);
session.on('error', (e) => { console.error(String(e)); process.exit(2); });
session.bind_transceiver({ system_id: args['system-id'] || 'gateway', password: args.password || 'secret' }, (bound) => {
  if (bound.command_status !== 0) { console.error('bind failed ' + bound.command_status); process.exit(3); }
  let sent = 0, done = 0;
  const start = process.hrtime.bigint();
  const pump = () => {
    while (sent < count && sent - done < window) {
      sent++;
      session.submit_sm({ destination_addr: '989121234567', source_addr: '3000', registered_delivery: 1, short_message: 'bench ' + sent }, () => {
        if (++done === count) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          console.log(JSON.stringify({ count, window, seconds, per_second: count / seconds }));
          session.unbind(() => session.close());
        } else {
          pump();
        }
      });
    }
  };
  pump();
});
