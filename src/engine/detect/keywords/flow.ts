/** flow: connection state and direction (established, to_server, only_stream, ...). */
import { KeywordError, splitArgs, type KeywordDescriptor } from './keyword.js';

export const FLOW_KEYWORDS: readonly KeywordDescriptor[] = [
  {
    name: 'flow',
    docs: 'established|not_established|stateless, to_server|to_client|from_server|from_client, only_stream|no_stream, only_frag|no_frag',
    value: 'required',
    parse(v, rule) {
      const f = rule.flow;
      const once = (key: keyof typeof f, val: boolean, word: string): void => {
        if (f[key] !== undefined && f[key] !== val) throw new KeywordError(`flow: ${word} contradicts an earlier option`);
        f[key] = val;
      };
      for (const word of splitArgs(v!.toLowerCase())) {
        switch (word) {
          case 'established': once('established', true, word); break;
          case 'not_established': once('established', false, word); break;
          case 'stateless': f.stateless = true; break;
          case 'to_server': case 'from_client': once('toServer', true, word); break;
          case 'to_client': case 'from_server': once('toServer', false, word); break;
          case 'only_stream': once('onlyStream', true, word); break;
          case 'no_stream': once('noStream', true, word); break;
          case 'only_frag': once('onlyFrag', true, word); break;
          case 'no_frag': once('noFrag', true, word); break;
          default: throw new KeywordError(`flow: unknown option ${JSON.stringify(word)}`);
        }
      }
      if (f.onlyStream && f.noStream) throw new KeywordError('flow: only_stream and no_stream together');
    },
  },
];
