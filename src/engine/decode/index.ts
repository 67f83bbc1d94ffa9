/**
 * Every packet decoder, registered in one list. Adding a link type or a tunnel: write its file,
 * export a LayerDecoder naming the (table, key) pairs it answers to, and add it here.
 */
import type { LayerDecoder } from './registry.js';
import { ethernet } from './link/ethernet.js';
import { vlan } from './link/vlan.js';
import { rawIp } from './link/raw-ip.js';
import { nullLoopback } from './link/null-loopback.js';
import { linuxSll, linuxSll2 } from './link/linux-sll.js';
import { ipv4 } from './net/ipv4.js';
import { ipv6 } from './net/ipv6.js';
import { tcp } from './transport/tcp.js';
import { udp } from './transport/udp.js';
import { icmp, icmp6 } from './transport/icmp.js';
import { mpls } from './link/mpls.js';
import { ppp } from './link/ppp.js';
import { pppoe } from './link/pppoe.js';
import { ieee80211 } from './link/ieee80211.js';
import { radiotap } from './link/radiotap.js';
import { ppi } from './link/ppi.js';
import { nflog } from './link/nflog.js';
import { frameRelay } from './link/frame-relay.js';
import { sctp } from './transport/sctp.js';
import { ipInIp } from './tunnel/ip-in-ip.js';
import { gre } from './tunnel/gre.js';
import { vxlan } from './tunnel/vxlan.js';
import { geneve } from './tunnel/geneve.js';
import { gtpu } from './tunnel/gtpu.js';
import { teredo } from './tunnel/teredo.js';
import { ayiya } from './tunnel/ayiya.js';
import { ciscoMetadata } from './link/cisco-metadata.js';
import { nsh } from './link/nsh.js';
import { ciscoHdlc } from './link/cisco-hdlc.js';

export const DECODERS: readonly LayerDecoder[] = [
  // link layers
  ethernet, vlan, rawIp, nullLoopback, linuxSll, linuxSll2,
  // network
  ipv4, ipv6,
  // transport
  tcp, udp, icmp, icmp6,
  // more link layers
  mpls, ppp, pppoe, ieee80211, radiotap, ppi, nflog, frameRelay,
  // SCTP and tunnels
  sctp, ipInIp, gre, vxlan, geneve, gtpu, teredo, ayiya,
  ciscoMetadata, nsh, ciscoHdlc,
];
