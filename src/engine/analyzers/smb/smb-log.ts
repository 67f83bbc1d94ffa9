/** smb_files.log and smb_mapping.log (base/protocols/smb/main.zeek: SMB::FileInfo, SMB::TreeInfo). */
import { CONN_ID_FIELDS, type LogSchema, field } from '../../logs/schema.js';

export const SMB_FILES_LOG: LogSchema = {
  path: 'smb_files',
  doc: 'Files opened, read, written, renamed and deleted over SMB, one record per logged action (Zeek\'s SMB::logged_file_actions plus the first read and write of each file).',
  fields: [
    field('ts', 'time', 'Time the file was first seen (its CREATE / NT_CREATE_ANDX request).'),
    field('uid', 'string', 'Unique id of the connection the file was sent over.'),
    ...CONN_ID_FIELDS,
    field('fuid', 'string', 'Id of the file in files.log, once content was seen.', { plain: true }),
    field('action', 'enum', 'What happened: SMB::FILE_OPEN, SMB::FILE_READ, SMB::FILE_WRITE, SMB::FILE_DELETE, SMB::FILE_RENAME, SMB::PRINT_OPEN.'),
    field('path', 'string', 'Path of the tree (share) the file is on, as the client mapped it.'),
    field('name', 'string', 'Name of the file within the share ("<share_root>" for the share itself).'),
    field('size', 'count', 'Size of the file (end of file) the server reported when it was opened.'),
    field('prev_name', 'string', 'For a rename, the file\'s previous name.'),
    field('times.modified', 'time', 'Last write time the server reported.'),
    field('times.accessed', 'time', 'Last access time the server reported.'),
    field('times.created', 'time', 'Creation time the server reported.'),
    field('times.changed', 'time', 'Last change (metadata) time the server reported.'),
  ],
};

export const SMB_MAPPING_LOG: LogSchema = {
  path: 'smb_mapping',
  doc: 'Shares (trees) an SMB client connected to.',
  fields: [
    field('ts', 'time', 'Time of the tree connect request.'),
    field('uid', 'string', 'Unique id of the connection the tree was mapped over.'),
    ...CONN_ID_FIELDS,
    field('path', 'string', 'UNC path of the share (\\\\server\\share).'),
    field('service', 'string', 'SMB1: the service type the server answered ("A:" disk, "IPC" named pipe, "LPT1:" printer, "COMM").'),
    field('native_file_system', 'string', 'SMB1: the file system the server named (e.g. NTFS).'),
    field('share_type', 'string', 'DISK, PIPE or PRINT: from the SMB2 tree connect response, deduced from the service for SMB1.'),
  ],
};
