/**
 * Modbus/TCP analyzer descriptor: Zeek's port (502/tcp) and no probe (Zeek has no Modbus
 * signature; an MBAP header is too weak evidence on other ports).
 */
import type { AnalyzerDescriptor } from '../analyzer.js';
import { ModbusAnalyzer } from './modbus-analyzer.js';

export const MODBUS_ANALYZER: AnalyzerDescriptor = {
  name: 'modbus',
  tcpPorts: [502],
  createStream: (ctx) => new ModbusAnalyzer(ctx),
};
