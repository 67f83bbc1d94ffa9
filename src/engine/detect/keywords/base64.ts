/**
 * base64_decode and base64_data: decode base64 found in the buffer (at the previous match, or an
 * offset) and inspect the decoded bytes with the keywords after base64_data.
 */
import { KeywordError, parseInteger, splitArgs, type KeywordDescriptor } from './keyword.js';
import type { Base64DecodeStep } from '../match/program.js';

export const BASE64_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'base64_decode',
    docs: 'decode base64 [bytes N][, offset N][, relative] for base64_data',
    value: 'optional',
    parse(v, rule) {
      const step: Base64DecodeStep = { kind: 'base64_decode', bytes: 0, offset: 0, relative: false };
      for (const part of v === undefined ? [] : splitArgs(v)) {
        const [word, arg] = part.split(/\s+/, 2);
        if (word === 'relative' && arg === undefined) step.relative = true;
        else if (word === 'bytes') step.bytes = parseInteger(arg ?? '', 'base64_decode bytes', 1, 65535);
        else if (word === 'offset') step.offset = parseInteger(arg ?? '', 'base64_decode offset', 0, 65535);
        else throw new KeywordError(`base64_decode: unknown option ${JSON.stringify(part)}`);
      }
      rule.addStep(step);
    },
  },
  {
    name: 'base64_data',
    docs: 'the following keywords inspect the data base64_decode produced',
    value: 'none',
    parse(_v, rule) {
      if (!rule.currentSteps().some((s) => s.kind === 'base64_decode')) throw new KeywordError('base64_data needs a base64_decode before it');
      rule.addStep({ kind: 'base64_data' });
    },
  },
];
