/**
 * Named limits. Every length read from a capture is checked against one of these, and every
 * limit says why it exists. Hitting one yields a weird, never a crash or unbounded growth.
 */
export const LIMITS = {
  /** Largest record (pcap packet or pcapng block) we buffer. Real snaplens top out at 256 KiB;
   *  pcapng blocks with big options stay far below this. Larger is corruption or an attack. */
  maxRecordBytes: 16 * 1024 * 1024,
  /** Header layers decoded per frame (link, VLANs, MPLS, IP, tunnels, ...). Real traffic needs
   *  well under 16; a crafted frame nesting tunnels forever is cut here. */
  maxDecodeLayers: 32,
  /** MPLS label stack entries we walk before giving up. */
  maxMplsLabels: 16,
  /** GTP-U extension headers walked per packet (TS 29.281 §5.2). Real ones carry one or two
   *  (PDU session container, PDCP number); a crafted chain could otherwise run to the MTU. */
  maxGtpExtensionHeaders: 16,
  /** IPv6 extension headers walked per packet. */
  maxIpv6ExtensionHeaders: 16,
  /** Concurrent IP fragment reassemblies (per engine). Real traffic has a handful in flight;
   *  a flood of first fragments with fresh ids evicts the oldest (weird fragment_limit_reached). */
  maxFragmentReassemblies: 8192,
  /** Bytes buffered for all pending fragment reassemblies together, each piece and datagram
   *  charged a bookkeeping overhead too, so floods of tiny fragments are bounded as well. One
   *  datagram holds at most ~128 KiB (offset 65528 + a 64 KiB fragment); past this the oldest
   *  pending datagrams are abandoned (weird fragment_limit_reached). */
  maxFragmentBytes: 64 * 1024 * 1024,
  /** Fragments (duplicates included) accepted for one datagram before it is abandoned. A 64 KiB
   *  datagram over a 576-byte MTU needs ~120, but tiny-fragment evasion is real traffic to
   *  report on (bad-ip-fragment-garbage.pcap: 5000-byte TCP datagrams in 313 fragments, which
   *  tshark and Zeek reassemble). Per-fragment work grows with the pieces held, so this also
   *  caps the CPU an overlap flood can cost. */
  maxFragmentsPerDatagram: 1024,
  /** Seconds of capture time an incomplete fragmented datagram is kept, from its first fragment
   *  (Zeek's frag_timeout is off by default; Linux's ipfrag_time is 30 s). Expiry is a weird
   *  incompletely_reassembled_fragment. */
  fragmentTimeout: 30,
  /** Out-of-order bytes buffered per TCP direction while waiting for a hole to fill. A real
   *  receive window is at most 1 GiB with scaling but in practice a few MiB. */
  maxStreamBufferBytes: 4 * 1024 * 1024,
  /** Out-of-order bytes buffered across all TCP streams. */
  maxReassemblyBytes: 256 * 1024 * 1024,
  /** Delivered bytes remembered per stream to check retransmissions for differing content. */
  reassemblyRetainBytes: 4096,
  /** A gap to a FIN farther than this is not reported at close (bogus sequence numbers). */
  maxReportedGap: 64 * 1024 * 1024,
  /** Bytes per direction shown to protocol probes (and kept for replay) before detection gives
   *  up. Real protocols identify themselves in their first message. */
  detectionBytes: 4096,
  /** UDP datagrams per connection probed before detection gives up. */
  detectionDatagrams: 8,
  /** Expected connections (FTP data channels) remembered at once; the oldest go first. */
  maxExpectedConnections: 4096,
  /** Live connections before the oldest idle ones are expired early (keeps RSS bounded). */
  maxConnections: 1_000_000,
  /** Tunnels tracked at once. */
  maxTunnels: 65536,
  /** Credentials held per run until their connection ends (credentials.log); past it new ones are dropped. */
  credentialsOpen: 10_000,
  /** Distinct (host, type, name) entries software.log remembers to log each only once per version. */
  softwareEntries: 100_000,
  /** Distinct (host, port, transport, services) entries known_services.log remembers. */
  knownServicesEntries: 100_000,
  /** Characters kept of one terminal line (Telnet/rlogin login dialogue); the rest of a longer line is ignored. */
  loginMaxLineChars: 256,
  /** Server bytes after a password in which the login outcome is looked for; past them it stays unknown. */
  loginOutcomeBytes: 4096,
  /** Bytes one TLS handshake message may span while it is reassembled across records. A
   *  Certificate message with a long chain reaches tens of KiB; the 24-bit length field would
   *  allow 16 MiB. Longer messages are skipped (weird SSL_handshake_message_too_large). */
  sslMaxHandshakeMessage: 256 * 1024,
  /** Letters kept in ssl.log ssl_history (Zeek's SSL::max_ssl_history_length). */
  sslMaxHistory: 100,
  /** Certificates parsed per side of a connection; real chains hold 2-5. */
  sslMaxCertificates: 32,
  /** Entries kept per SAN kind (dns, uri, email, ip) of one certificate; CDN certificates
   *  carry a few hundred names. */
  x509MaxSanEntries: 512,
  /** Attributes formatted per distinguished name. */
  x509MaxNameAttributes: 64,
  /** Bytes of a file's beginning kept to sniff its MIME type (Zeek's
   *  default_file_bof_buffer_size): signatures look at the first bytes only. */
  fileBofBytes: 4096,
  /** Bytes written per extracted file (--extract-files). A capture can carry multi-GiB
   *  transfers; past this the copy is cut (files.log extracted_cutoff). */
  fileExtractMaxBytes: 256 * 1024 * 1024,
  /** Seconds of capture time a file may go without content before it counts as timed out
   *  (Zeek's default_file_timeout_interval, 2 minutes; files.log timedout). */
  fileTimeout: 120,
  /** Keys one heuristic aggregates over (hosts, host pairs, names, certificates: detect/heuristics).
   *  Past it new keys are not tracked (weird heuristic_state_limit) and existing ones keep counting. */
  heuristicMaxKeys: 100_000,
  /** Distinct values counted exactly per heuristic key (hosts a scanner probed, subdomains under
   *  one parent); past it the count is an upper bound. Thresholds sit far below this. */
  heuristicMaxDistinct: 256,
  /** Connection uids listed in one notice's `uids`; the count of all of them is in `n`. */
  noticeMaxUids: 100,
  /** Connection start times kept per (orig, resp, resp_p) for beaconing; enough to measure a rhythm. */
  beaconMaxTimestamps: 1000,
  /** Start times kept for beaconing across all host pairs (8 bytes each: 32 MiB). */
  beaconMaxTotalTimestamps: 4_000_000,
  /** Indicators loaded from --intel files; real feeds hold up to a few hundred thousand. */
  intelMaxIndicators: 2_000_000,
  /** Bytes of one HTTP start line or header line (with continuations). Real ones stay under
   *  8 KiB (common server limits); a longer line is an attack or not HTTP. */
  httpMaxLineBytes: 64 * 1024,
  /** Header fields kept per HTTP message (servers reject > 100); the rest are counted, not kept. */
  httpMaxHeaders: 256,
  /** Bytes of one HTTP message's header block; past this the message is not HTTP we follow. */
  httpMaxHeaderBytes: 256 * 1024,
  /** Requests awaiting a response per connection (Zeek's HTTP::max_pending_requests): past
   *  this, pending ones are logged and matching restarts (weird HTTP_excessive_pipelining). */
  httpMaxPendingRequests: 100,
  /** Decoded bytes of one Content-Encoding'd HTTP body. gzip/deflate expand up to ~1000:1,
   *  brotli far more: a small body can be a decompression bomb. Past this decoding stops
   *  (weird http_decompression_limit) and the rest of the body is counted, not decoded. */
  httpMaxDecodedBodyBytes: 64 * 1024 * 1024,
  /** Content-encoded (gzip/deflate/br) body bytes collected per message for decoding. Encoded
   *  bodies are web pages and API responses; a larger one is left undecoded (a weird). */
  httpMaxEncodedBodyBytes: 8 * 1024 * 1024,
  /** Files listed per HTTP transaction and side (Zeek's HTTP::max_files_orig/max_files_resp). */
  httpMaxFilesPerSide: 15,
  /** MIME multipart nesting followed inside an HTTP body. */
  httpMaxMimeDepth: 8,
  /** Questions per DNS message before it is taken for non-DNS traffic (Zeek's dns_max_queries:
   *  port 53 carries much that is not DNS; real messages ask one question, mDNS a handful). */
  dnsMaxQueries: 25,
  /** Answer records summarised per DNS message. A 64 KiB message holds at most ~5900 RRs; real
   *  answers (even AXFR messages) stay far below this, which caps work and log-line size. */
  dnsMaxAnswers: 1000,
  /** Characters of a decoded DNS name (Zeek's 512-byte name buffer; RFC 1035 §2.3.4 allows 255
   *  octets on the wire, NetBIOS names with long labels a little more). */
  dnsMaxNameChars: 512,
  /** Compression pointers followed within one DNS name. Pointers may only point backwards
   *  (RFC 1035 §4.1.4), which ends loops, but a chain of 2-byte pointers could still cost a
   *  jump per two bytes of message for every name; real names need one or two. */
  dnsMaxNamePointers: 32,
  /** Names whose log text the DNS parser keeps for reuse (a power of two; at most
   *  dnsMaxNameChars bytes each, 1 MiB at most): names repeat across messages. */
  dnsNameTextCacheEntries: 2048,
  /** Unmatched DNS queries or replies queued per transaction id (Zeek's DNS::max_pending_msgs);
   *  past it they are logged unanswered (weird dns_unmatched_msg_quantity). */
  dnsMaxPendingMsgs: 50,
  /** Transaction ids with unmatched messages per connection (Zeek's
   *  DNS::max_pending_query_ids); past it all pending are logged (weird
   *  dns_unmatched_query_id_quantity). */
  dnsMaxPendingQueryIds: 50,
  /** Answers held per connection by replies still waiting for their query. Zeek has no such
   *  bound; without it a stream of unsolicited 64 KiB replies would be held in memory up to the
   *  queue limits above (~2600 replies). Past it the waiting replies are logged unmatched. */
  dnsMaxPendingAnswers: 10_000,
  /** DHCP transactions (by xid) awaiting their log record across all DHCP connections. Zeek's
   *  join_data table is unbounded; a flood of random xids (a DHCP starvation attack sends
   *  thousands a second) would grow it without end. Past it the oldest is logged early. */
  dhcpMaxPendingTransactions: 10_000,
  /** Connection uids in one dhcp.log record (Zeek's DHCP::max_uids_per_log_entry). */
  dhcpMaxUidsPerEntry: 10,
  /** Message types in one dhcp.log record (Zeek's DHCP::max_msg_types_per_log_entry). */
  dhcpMaxMsgTypesPerEntry: 50,
  /** Options read per DHCP message. Each takes at least one byte of the (<= 64 KiB) datagram;
   *  RFC 2131 messages carry a few dozen. Bounds work on a datagram of 1-byte pad options. */
  dhcpMaxOptions: 512,
  /** Bytes of one SSH identification line (RFC 4253 §4.2: 255 including CR LF); longer lines
   *  are cut there and the side stops being parsed (weird ssh_banner_too_long). */
  sshMaxBannerBytes: 1024,
  /** Lines a server may send before its SSH- identification (RFC 4253 §4.2 allows some);
   *  past it the side is taken for non-SSH. */
  sshMaxPreBannerLines: 32,
  /** Cleartext SSH binary packet (KEXINIT, KEX reply) held for parsing: RFC 4253 §6.1 requires
   *  35000; a KEXINIT with long algorithm lists or a big host key stays far below this. Zeek's
   *  SSH::max_packet_length is 1 MiB; past ours the side stops (weird SSH_max_packet_length_exceeded). */
  sshMaxPacketBytes: 256 * 1024,
  /** Names kept per KEXINIT algorithm list (Zeek's SSH::max_kexinit_* are 64..256). */
  sshMaxAlgorithms: 256,
  /** Bytes of an IRC line held while waiting for its end (RFC 2812 §2.3: 512 with CR LF, which
   *  Zeek enforces on complete lines). Past this the line is dropped up to the next LF (weird
   *  irc_line_size_exceeded) instead of being buffered. */
  ircMaxLineBytes: 8192,
  /** Bytes of one MySQL packet held for parsing (a packet may be 16 MiB - 1; a query past this
   *  is logged cut at this size with weird mysql_packet_too_large, its rest skipped; server
   *  packets past it are judged on their first bytes). */
  mysqlMaxPacketBytes: 1024 * 1024,
  /** Bytes of one line of a mail or FTP dialogue (SMTP, POP3, IMAP, FTP). RFC 5321 §4.5.3.1
   *  allows 512 for commands and 1000 for text lines, but real mail breaks that; past this a
   *  command line is cut (weird line_too_long) and a message line is passed on in pieces. */
  mailMaxLineBytes: 16 * 1024,
  /** SMTP commands awaiting their reply (RFC 2920 pipelining sends a handful at once); past
   *  this the oldest are dropped (weird smtp_excessive_pending_cmds). */
  smtpMaxPendingCommands: 100,
  /** Addresses kept per smtp.log set (rcptto, to, cc) and Received hops in `path`: spam runs
   *  list a few hundred at most; more only grows the record. */
  smtpMaxAddresses: 500,
  /** MIME multipart nesting followed inside a mail (RFC 2046 sets no bound; real mail nests
   *  3-4 levels). Deeper parts are carried as content of their parent (weird MIME_depth_limit). */
  mimeMaxDepth: 16,
  /** Header lines (folded lines counted once each) of one MIME entity, and their bytes. */
  mimeMaxHeaders: 256,
  mimeMaxHeaderBytes: 256 * 1024,
  /** MIME entities begun in one mail: each leaf may become a file; a crafted mail of empty
   *  parts would otherwise open files without bound. */
  mimeMaxEntities: 1000,
  /** NTP extension fields counted per message (RFC 7822: each at least 16 bytes; real
   *  messages carry a few, NTS a handful). Only counted, so this caps the loop, not memory. */
  ntpMaxExtensions: 64,
  /** FTP commands awaiting their reply (Zeek's FTP::max_pending_commands); past it new ones
   *  are not queued (weird FTP_too_many_pending_commands). */
  ftpMaxPendingCommands: 20,
  /** Variable bindings read per SNMP message (each takes at least 6 bytes, so a 64 KiB datagram
   *  holds ~11000; real requests carry a few dozen, bulk responses a few hundred). */
  snmpMaxBindings: 2048,
  /** Arcs of one SNMP OBJECT IDENTIFIER (RFC 2578 §3.5 allows at most 128 sub-identifiers). */
  snmpMaxOidArcs: 128,
  /** POP3/IMAP commands awaiting their response (pipelining, RFC 2449 §6.6 / RFC 9051 §5.5);
   *  past it the oldest are logged unanswered (weird <proto>_excessive_pending_cmds). */
  mailboxMaxPendingCommands: 100,
  /** Files (fuids) listed in one pop3.log/imap.log/smtp.log record. */
  mailMaxFuidsPerRecord: 100,
  /** Digits of a syslog PRI value (RFC 5424 §6.2.1 allows 3: at most 191). Longer digit runs
   *  are not read as a PRI, so the value stays an exact small integer. */
  syslogMaxPriDigits: 10,
  /** Attributes read per RADIUS packet (RFC 2865 caps a packet at 4096 bytes, so at most 2048
   *  two-byte attributes; real packets carry a few dozen). */
  radiusMaxAttributes: 512,
  /** Header fields read per SIP message (RFC 3261 sets none; real messages carry 10-40). */
  sipMaxHeaders: 256,
  /** Bytes of a SIP message head held while a TCP stream delivers it (UDP messages fit a
   *  datagram); past it that side is not parsed any more (weird SIP_head_too_large). */
  sipMaxHeadBytes: 64 * 1024,
  /** Pending SIP transactions per connection (Zeek's table is unbounded); past it the oldest is
   *  written early (weird SIP_pending_quantity). */
  sipMaxPending: 100,
  /** Via entries kept per request_path / response_path (RFC 3261 §16.6 proxies add one each;
   *  70 is Max-Forwards' default, so more is a loop or an attack). */
  sipMaxPath: 70,
  /** Bytes of one syslog message held while a TCP stream delivers it (RFC 5424 §6.1: receivers
   *  should take 2048, may take more; RFC 6587 frames carry their length). Past it that side is
   *  not parsed any more (weird syslog_message_too_long). */
  syslogMaxMessageBytes: 64 * 1024,
  /** Nesting of ASN.1 constructed elements in one Kerberos message (RFC 4120 messages nest
   *  about 10 deep; authorization data and PKINIT add a few): deeper is garbage or an attack. */
  krbMaxAsn1Depth: 32,
  /** ASN.1 elements checked in one Kerberos message (a ticket with a PAC has a few hundred). */
  krbMaxAsn1Elements: 10000,
  /** Bytes of one Kerberos message over TCP (RFC 4120 §7.2.2 4-byte prefix; Windows caps
   *  tokens at 48000 and big PACs reach 64 KiB). Past it that side is not parsed any more
   *  (weird KRB_TCP_message_too_long). */
  krbMaxMessageBytes: 256 * 1024,
  /** Largest Modbus/TCP MBAP length field (unit id + PDU): the spec caps an ADU at 260 bytes,
   *  so 254; a larger value means the bytes are not Modbus (weird modbus_bad_length). */
  modbusMaxLength: 254,
  /** Bytes of one DNP3 application fragment reassembled from transport segments (IEEE 1815
   *  §4.2.2: 2048 is the usual maximum fragment size); past it the fragment is dropped (weird
   *  dnp3_fragment_too_large). */
  dnp3MaxFragmentBytes: 4096,
  /** Bytes of the CRYPTO stream held per side of a QUIC connection to reassemble its first TLS
   *  handshake message from Initial packets (RFC 8446 §5.1 caps a record at 2^14 + 256 bytes;
   *  Zeek allows the same for its QUIC hello). Past it the hello is not parsed (weird QUIC_hello_too_large). */
  quicMaxHelloBytes: 16384 + 256,
  /** Out-of-order CRYPTO chunks remembered per side while the hello is reassembled (real clients
   *  send a handful; Chrome scatters its ClientHello over a few dozen). */
  quicMaxCryptoChunks: 256,
  /** Letters in quic.log history (Zeek's QUIC::max_history_length); past it weird QUIC_max_history_length_reached. */
  quicMaxHistory: 100,
  /** Bytes of an SMB message's beginning held for parsing (header, fixed part, names, security
   *  blobs). Longer messages are READ responses or WRITE requests (up to 8 MiB each): their data
   *  beyond this is streamed to the file, never buffered. Other commands past it are skipped. */
  smbMaxHeadBytes: 64 * 1024,
  /** SMB requests awaiting their response per connection (credits allow a few hundred in flight);
   *  past it the oldest are forgotten (weird SMB_excessive_pending_cmds). */
  smbMaxPendingCommands: 1024,
  /** Open files and mapped trees remembered per SMB connection; past it the oldest go first
   *  (a client opening files without closing them must not grow state without end). */
  smbMaxOpenFiles: 4096,
  smbMaxTrees: 1024,
  /** Commands followed in one SMB2 compound or SMB1 AndX chain (real chains hold 2-5). */
  smbMaxChainedCommands: 32,
  /** Bytes of one DCE/RPC fragment reassembled (max_xmit_frag is negotiated, Windows uses 4280,
   *  5840 or 65535); past it that side stops being parsed (weird DCE_RPC_fragment_too_large). */
  dceRpcMaxFragmentBytes: 64 * 1024,
  /** Presentation contexts read per bind, and bindings (pipes) tracked per connection, and calls
   *  awaiting a response: Zeek's DCE_RPC max_cmd_reassembly / SMB::max_dce_rpc_analyzers style bounds. */
  dceRpcMaxContexts: 64,
  dceRpcMaxBindings: 256,
  dceRpcMaxPendingCalls: 1024,
  /** Stub bytes of one DCE/RPC call joined for the detection engine (dce_stub_data). */
  dceRpcMaxStubBytes: 256 * 1024,
  /** Bytes of one RDP TPKT (the 16-bit length caps it at 65535) held for parsing. */
  rdpMaxPduBytes: 65535,
  /** Channels kept from the client's network data (MS-RDPBCGR §2.2.1.3.4: at most 31). */
  rdpMaxChannels: 31,
  /** Bytes of an HTTP body (request or decoded response) handed to the detection engine as
   *  http.request_body / http.response_body (Suricata's request-/response-body-limit, 100 KiB by
   *  default there): rules look at the start of bodies; a copy of a whole download is not kept. */
  inspectHttpBodyBytes: 1024 * 1024,
  /** Bytes of a file kept as file.data for the detection engine (first bytes only), held per open
   *  file only while rules inspect files. */
  inspectFileBytes: 1024 * 1024,
  /** Bytes of a file's beginning YARA scans (--yara): a bounded in-memory copy per open file;
   *  the rest of a large download is not scanned. */
  yaraScanBytes: 4 * 1024 * 1024,
  /** Values of one multi-value buffer in an inspection unit (DNS questions, RCPT TO addresses,
   *  certificates): a crafted message cannot make the engine match over an unbounded list. */
  inspectMaxValues: 64,
  /** Bytes of file beginnings held at once, over all open files, for file.data and YARA: a capture
   *  with thousands of parallel downloads would otherwise hold inspectFileBytes/yaraScanBytes
   *  each. Past it, files begun later are inspected and scanned on what they got. */
  detectFileHeldBytes: 256 * 1024 * 1024,
  /** Alerts one packet, stream chunk or inspection unit may raise (Suricata's packet_alert_max
   *  default is 15): bytes matching thousands of rules cost at most this many records. */
  detectMaxAlertsPerInspection: 15,
  /** Bytes of a TCP stream direction kept from earlier chunks and inspected again with the next
   *  one, so content split across segments matches (Suricata inspects the raw stream in
   *  overlapping windows too). Longer split patterns than this are missed. */
  detectStreamWindowBytes: 2048,
  /** Largest piece of a stream chunk inspected at once (a drained reassembly queue can deliver
   *  megabytes): bounds the inspection buffer. */
  detectStreamChunkBytes: 64 * 1024,
  /** threshold / detection_filter trackers (rule + address or flow); the oldest go first. */
  detectMaxThresholdEntries: 65536,
  /** xbits/hostbits held on addresses and address pairs; lapsed ones go first, then the oldest. */
  detectMaxXbits: 65536,
  /** Rules per stream direction whose last alert position is remembered (no second alert on the
   *  same bytes); past it the oldest is forgotten, at worst one duplicate alert. */
  detectMaxStreamAlertMarks: 64,
  /** Regex steps all rules together may spend on one packet, chunk or unit (a rule's own budget
   *  is DETECT_LIMITS.pcreStepsPerRule, capped by this): 10,000 pathological pcre rules cannot
   *  hang a packet. A benign pcre over a 64 KiB body needs well under this. */
  detectPcreStepsPerInspection: 1_000_000,
  /** Regex steps that evaluations which ran out of budget may waste over a whole run; past it the
   *  ruleset has shown pathological rules, every rule gets detectPcreStepsDegraded per evaluation
   *  and one exhaustion switches a rule off, so the total stays bounded (not per packet). */
  detectPcreWastedStepsPerRun: 20_000_000,
  /** A rule's regex steps per evaluation once the wasted allowance is gone (enough for a pcre
   *  over a request line or a header, not for backtracking over a long body). */
  detectPcreStepsDegraded: 5_000,
  /** A rule whose pcre ran out of its full budget this many times is switched off for the run
   *  (it would burn the budget on every packet again). */
  detectPcreExhaustionsBeforeDisable: 2,
} as const;

export type Limits = typeof LIMITS;
