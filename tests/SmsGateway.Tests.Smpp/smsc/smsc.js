'use strict';
// A scriptable SMSC on the npm `smpp` package (0.5.1): the independent peer of the gateway's SMPP client tests.
//   node smsc.js --port P --control C [--system-id ID --password PW]
// SMPP on 127.0.0.1:P; a JSON control API on 127.0.0.1:C:
//   POST /config  merge behaviour: delay_ms, throttle_next (answer that many submits with 0x58), status_for_dest
//                 ({"98912...": 11}), drop_at_submit (close every connection when the Nth submit from now arrives,
//                 unanswered), receipt ("DELIVRD" | "UNDELIV" | null), receipt_delay_ms, receipt_tlvs (bool),
//                 receipt_before_resp (bool), ignore_enquire_link (bool)
//   GET  /state   what it received: binds, unbinds, enquire_links, submits (one record per submit_sm), receipts_acked
//   POST /mo      {"source_addr","destination_addr","text"}: send a mobile-originated deliver_sm (data_coding 8)
//   POST /drop    close every connection now;  POST /reset  forget state and behaviour
// Prints READY once both ports listen.
const smpp = require('smpp');
const http = require('http');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const systemId = args['system-id'] || 'gateway';
const password = args['password'] || 'secret';

let config, state, nextId = 0;
function reset() {
  config = { delay_ms: 0, throttle_next: 0, status_for_dest: {}, drop_at_submit: 0, receipt: null, receipt_delay_ms: 0,
    receipt_tlvs: false, receipt_before_resp: false, ignore_enquire_link: false };
  state = { binds: [], bind_failures: 0, unbinds: 0, enquire_links: 0, submits: [], receipts_sent: 0, receipts_acked: [], mo_acked: [] };
}
reset();

const sessions = new Set();

function stamp(d) {
  const p = (n) => String(n).padStart(2, '0');
  return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes());
}

function sendReceipt(origin, messageId, stat, dest, source) {
  // a receiver-capable session of the same system_id: the origin when it is a transceiver, else a receiver
  let target = origin.mode === 'transceiver' && !origin.closed ? origin : null;
  if (!target) for (const s of sessions) if (s.mode === 'receiver' && !s.closed) { target = s; break; }
  if (!target) return;
  const now = stamp(new Date());
  const err = stat === 'DELIVRD' ? '000' : '001';
  const text = `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${now} done date:${now} stat:${stat} err:${err} text:`;
  const pdu = { source_addr: dest, destination_addr: source, esm_class: 0x04, short_message: text };
  if (config.receipt_tlvs) {
    pdu.receipted_message_id = messageId;
    pdu.message_state = stat === 'DELIVRD' ? 2 : 5;
  }
  state.receipts_sent++;
  target.deliver_sm(pdu, (resp) => state.receipts_acked.push({ message_id: messageId, status: resp.command_status }));
}

function onSubmit(session, pdu) {
  const sm = pdu.short_message || {};
  const record = {
    system_id: session.systemId, sequence: pdu.sequence_number, source_addr: pdu.source_addr,
    source_addr_ton: pdu.source_addr_ton, source_addr_npi: pdu.source_addr_npi, destination_addr: pdu.destination_addr,
    dest_addr_ton: pdu.dest_addr_ton, esm_class: pdu.esm_class, data_coding: pdu.data_coding,
    registered_delivery: pdu.registered_delivery,
    text: typeof sm.message === 'string' ? sm.message : (sm.message ? sm.message.toString('hex') : ''),
    udh: sm.udh ? sm.udh.map((b) => b.toString('hex')) : [],
    sar: pdu.sar_msg_ref_num !== undefined ? [pdu.sar_msg_ref_num, pdu.sar_total_segments, pdu.sar_segment_seqnum] : null,
    payload: pdu.message_payload ? (pdu.message_payload.message || '') : null,
    status: null, message_id: null, answered: false,
  };
  state.submits.push(record);
  if (config.drop_at_submit > 0 && --config.drop_at_submit === 0) {
    for (const s of sessions) s.destroy();
    return;
  }
  let status = 0;
  if (config.throttle_next > 0) { config.throttle_next--; status = 0x58; }
  else if (config.status_for_dest[pdu.destination_addr] !== undefined) status = config.status_for_dest[pdu.destination_addr];
  record.status = status;
  const messageId = status === 0 ? (++nextId).toString(16).padStart(10, '0') : null;
  record.message_id = messageId;
  const stat = config.receipt;
  const answer = () => {
    if (session.closed) return;
    record.answered = true;
    session.send(pdu.response(status === 0 ? { message_id: messageId } : { command_status: status }));
    if (status === 0 && stat && !config.receipt_before_resp) {
      setTimeout(() => sendReceipt(session, messageId, stat, pdu.destination_addr, pdu.source_addr), config.receipt_delay_ms);
    }
  };
  if (status === 0 && stat && config.receipt_before_resp) sendReceipt(session, messageId, stat, pdu.destination_addr, pdu.source_addr);
  if (config.delay_ms > 0) setTimeout(answer, config.delay_ms); else answer();
}

const server = smpp.createServer((session) => {
  session.socket.setNoDelay(true); // answer each PDU at once (no Nagle delay behind a window of 1)
  session.closed = false;
  session.on('close', () => { session.closed = true; sessions.delete(session); });
  session.on('error', () => { session.closed = true; });
  const bind = (mode) => (pdu) => {
    if (pdu.system_id !== systemId || pdu.password !== password) {
      state.bind_failures++;
      session.send(pdu.response({ command_status: pdu.system_id !== systemId ? 0x0F : 0x0E }));
      return;
    }
    session.systemId = pdu.system_id;
    session.mode = mode;
    sessions.add(session);
    state.binds.push({ system_id: pdu.system_id, mode, system_type: pdu.system_type, interface_version: pdu.interface_version });
    session.send(pdu.response({ system_id: 'testsmsc' }));
  };
  session.on('bind_transceiver', bind('transceiver'));
  session.on('bind_transmitter', bind('transmitter'));
  session.on('bind_receiver', bind('receiver'));
  session.on('submit_sm', (pdu) => onSubmit(session, pdu));
  session.on('enquire_link', (pdu) => {
    state.enquire_links++;
    if (!config.ignore_enquire_link) session.send(pdu.response());
  });
  session.on('unbind', (pdu) => {
    state.unbinds++;
    session.send(pdu.response());
    session.close();
  });
});

function body(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(data ? JSON.parse(data) : {}));
  });
}

const control = http.createServer(async (req, res) => {
  const reply = (obj) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(obj)); };
  if (req.method === 'GET' && req.url === '/state') return reply({ ...state, sessions: sessions.size });
  if (req.method === 'POST' && req.url === '/config') { Object.assign(config, await body(req)); return reply(config); }
  if (req.method === 'POST' && req.url === '/mo') {
    const mo = await body(req);
    let target = null;
    for (const s of sessions) if (s.mode !== 'transmitter' && !s.closed) { target = s; break; }
    if (!target) { res.statusCode = 409; return res.end(); }
    target.deliver_sm({ source_addr: mo.source_addr, destination_addr: mo.destination_addr, esm_class: 0, data_coding: 8,
      short_message: mo.text }, (resp) => state.mo_acked.push({ status: resp.command_status }));
    return reply({ sent: true });
  }
  if (req.method === 'POST' && req.url === '/drop') { for (const s of sessions) s.destroy(); return reply({ dropped: true }); }
  if (req.method === 'POST' && req.url === '/reset') { reset(); return reply({ reset: true }); }
  res.statusCode = 404;
  res.end();
});

let listening = 0;
const ready = () => { if (++listening === 2) console.log('READY'); };
server.listen(Number(args.port), '127.0.0.1', ready);
control.listen(Number(args.control), '127.0.0.1', ready);
