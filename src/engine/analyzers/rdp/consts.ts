/**
 * RDP names as Zeek's base/protocols/rdp/consts.zeek spells them ([MS-RDPBCGR] §2.2.1.2.1-2,
 * §2.2.1.3.2, §2.2.1.4.3); unknown values fall back to "<table>-<n>" as there. The keyboard
 * layout table keeps the common layouts (Windows LCIDs); others print as "keyboard-<n>".
 */

function lookup(table: Readonly<Record<number, string>>, prefix: string): (n: number) => string {
  return (n) => table[n] ?? `${prefix}-${n}`;
}

export const clientBuild = lookup({
  419: 'RDP 4.0', 2195: 'RDP 5.0', 2221: 'RDP 5.0', 2600: 'RDP 5.1', 3790: 'RDP 5.2', 6000: 'RDP 6.0', 6001: 'RDP 6.1',
  6002: 'RDP 6.2', 7600: 'RDP 7.0', 7601: 'RDP 7.1', 9200: 'RDP 8.0', 9600: 'RDP 8.1', 25189: 'RDP 8.0 (Mac)', 25282: 'RDP 8.0 (Mac)',
}, 'client_build');

export const securityProtocol = lookup({ 0: 'RDP', 1: 'SSL', 2: 'HYBRID', 8: 'HYBRID_EX' }, 'security_protocol');

export const failureCode = lookup({
  1: 'SSL_REQUIRED_BY_SERVER', 2: 'SSL_NOT_ALLOWED_BY_SERVER', 3: 'SSL_CERT_NOT_ON_SERVER', 4: 'INCONSISTENT_FLAGS',
  5: 'HYBRID_REQUIRED_BY_SERVER', 6: 'SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER',
}, 'failure_code');

export const certType = lookup({ 1: 'RSA', 2: 'X.509' }, 'cert_type');
export const encryptionMethod = lookup({ 0: 'None', 1: '40bit', 2: '128bit', 8: '56bit', 10: 'FIPS' }, 'encryption_method');
export const encryptionLevel = lookup({ 0: 'None', 1: 'Low', 2: 'Client compatible', 3: 'High', 4: 'FIPS' }, 'encryption_level');
export const highColorDepth = lookup({ 4: '4bit', 8: '8bit', 15: '15bit', 16: '16bit', 24: '24bit' }, 'high_color_depth');
export const gccResult = lookup({ 0: 'Success', 1: 'User rejected', 2: 'Resources not available', 3: 'Rejected for symmetry breaking', 4: 'Locked conference' }, 'result');

export const keyboardLayout = lookup({
  1025: 'Arabic - Saudi Arabia', 1026: 'Bulgarian', 1027: 'Catalan', 1028: 'Chinese - Taiwan', 1029: 'Czech', 1030: 'Danish',
  1031: 'German - Germany', 1032: 'Greek', 1033: 'English - United States', 1034: 'Spanish - Spain (Traditional Sort)',
  1035: 'Finnish', 1036: 'French - France', 1037: 'Hebrew', 1038: 'Hungarian', 1039: 'Icelandic', 1040: 'Italian - Italy',
  1041: 'Japanese', 1042: 'Korean', 1043: 'Dutch - Netherlands', 1044: 'Norwegian (Bokmal)', 1045: 'Polish',
  1046: 'Portuguese - Brazil', 1048: 'Romanian', 1049: 'Russian', 1050: 'Croatian', 1051: 'Slovak', 1052: 'Albanian - Albania',
  1053: 'Swedish', 1054: 'Thai', 1055: 'Turkish', 1056: 'Urdu', 1057: 'Indonesian', 1058: 'Ukrainian', 1059: 'Belarusian',
  1060: 'Slovenian', 1061: 'Estonian', 1062: 'Latvian', 1063: 'Lithuanian', 1065: 'Farsi', 1066: 'Vietnamese',
  1067: 'Armenian - Armenia', 1068: 'Azeri (Latin)', 1069: 'Basque', 1071: 'FYRO Macedonian', 1079: 'Georgian',
  1080: 'Faroese', 1081: 'Hindi', 1086: 'Malay - Malaysia', 1087: 'Kazakh', 1088: 'Kyrgyz (Cyrillic)', 1089: 'Swahili',
  1091: 'Uzbek (Latin)', 1092: 'Tatar', 1093: 'Bengali (India)', 1095: 'Gujarati', 1097: 'Tamil', 1098: 'Telugu',
  1099: 'Kannada', 1100: 'Malayalam', 1102: 'Marathi', 1104: 'Mongolian (Cyrillic)', 1106: 'Welsh', 1110: 'Galician',
  2049: 'Arabic - Iraq', 2052: "Chinese - People's Republic of China", 2055: 'German - Switzerland',
  2057: 'English - United Kingdom', 2058: 'Spanish - Mexico', 2060: 'French - Belgium', 2064: 'Italian - Switzerland',
  2067: 'Dutch - Belgium', 2068: 'Norwegian (Nynorsk)', 2070: 'Portuguese - Portugal', 2074: 'Serbian (Latin)',
  2077: 'Swedish - Finland', 3076: 'Chinese - Hong Kong SAR', 3079: 'German - Austria', 3081: 'English - Australia',
  3082: 'Spanish - Spain (Modern Sort)', 3084: 'French - Canada', 3098: 'Serbian (Cyrillic)', 4100: 'Chinese - Singapore',
  4103: 'German - Luxembourg', 4105: 'English - Canada', 4108: 'French - Switzerland', 5129: 'English - New Zealand',
  6153: 'English - Ireland', 7177: 'English - South Africa', 16393: 'English - India', 66569: 'English - United States (Dvorak)',
  132105: 'English - United States (International)', 66567: 'German (IBM)', 66570: 'Spanish Variation',
  66581: 'Polish (214)', 66582: 'Portuguese (Brazilian ABNT2)', 66585: 'Russian (Typewriter)', 67596: 'Belgian (Comma)',
  69641: 'Canadian Multilingual Standard',
}, 'keyboard');
