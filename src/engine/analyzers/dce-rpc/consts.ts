/**
 * DCE/RPC interface UUIDs → endpoint names and (uuid, opnum) → operation names, as Zeek's
 * base/protocols/dce-rpc/consts.zeek spells them, for the interfaces an analyst meets in Windows
 * traffic (service control, scheduling, LSA/SAM, Netlogon, DRSUAPI, the registry, the endpoint
 * mapper, the server/workstation services, DCOM activation, WMI, printing). Operation names are
 * the method names of the Microsoft open specifications ([MS-SCMR], [MS-TSCH], [MS-LSAD],
 * [MS-SAMR], [MS-NRPC], [MS-DRSR], [MS-RRP], [MS-SRVS], [MS-WKST], [MS-DCOM], [MS-RPRN], ...).
 * Unknown ones fall back as in Zeek: "unknown-<uuid>" and "unknown-<opnum>".
 */

/** Operation names by opnum; '' where the interface has no method at that number. */
type Ops = readonly string[];

function notUsed(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`Opnum${i}NotUsedOnWire`);
  return out;
}

const SVCCTL: Ops = [
  'RCloseServiceHandle', 'RControlService', 'RDeleteService', 'RLockServiceDatabase', 'RQueryServiceObjectSecurity',
  'RSetServiceObjectSecurity', 'RQueryServiceStatus', 'RSetServiceStatus', 'RUnlockServiceDatabase', 'RNotifyBootConfigStatus',
  'Opnum10NotUsedOnWire', 'RChangeServiceConfigW', 'RCreateServiceW', 'REnumDependentServicesW', 'REnumServicesStatusW',
  'ROpenSCManagerW', 'ROpenServiceW', 'RQueryServiceConfigW', 'RQueryServiceLockStatusW', 'RStartServiceW',
  'RGetServiceDisplayNameW', 'RGetServiceKeyNameW', 'Opnum22NotUsedOnWire', 'RChangeServiceConfigA', 'RCreateServiceA',
  'REnumDependentServicesA', 'REnumServicesStatusA', 'ROpenSCManagerA', 'ROpenServiceA', 'RQueryServiceConfigA',
  'RQueryServiceLockStatusA', 'RStartServiceA', 'RGetServiceDisplayNameA', 'RGetServiceKeyNameA', 'Opnum34NotUsedOnWire',
  'REnumServiceGroupW', 'RChangeServiceConfig2A', 'RChangeServiceConfig2W', 'RQueryServiceConfig2A', 'RQueryServiceConfig2W',
  'RQueryServiceStatusEx', 'REnumServicesStatusExA', 'REnumServicesStatusExW', 'Opnum43NotUsedOnWire', 'RCreateServiceWOW64A',
  'RCreateServiceWOW64W', 'Opnum46NotUsedOnWire', 'RNotifyServiceStatusChange', 'RGetNotifyResults', 'RCloseNotifyHandle',
  'RControlServiceExA', 'RControlServiceExW', 'Opnum52NotUsedOnWire', 'Opnum53NotUsedOnWire', 'Opnum54NotUsedOnWire',
  'Opnum55NotUsedOnWire', 'RQueryServiceConfigEx', 'Opnum57NotUsedOnWire', 'Opnum58NotUsedOnWire', 'Opnum59NotUsedOnWire',
  'RCreateWowService',
];

const TASK_SCHEDULER: Ops = [
  'SchRpcHighestVersion', 'SchRpcRegisterTask', 'SchRpcRetrieveTask', 'SchRpcCreateFolder', 'SchRpcSetSecurity',
  'SchRpcGetSecurity', 'SchRpcEnumFolders', 'SchRpcEnumTasks', 'SchRpcEnumInstances', 'SchRpcGetInstanceInfo',
  'SchRpcStopInstance', 'SchRpcStop', 'SchRpcRun', 'SchRpcDelete', 'SchRpcRename', 'SchRpcScheduledRuntimes',
  'SchRpcGetLastRunInfo', 'SchRpcGetTaskInfo', 'SchRpcGetNumberOfMissedRuns', 'SchRpcEnableTask',
];

const ATSVC: Ops = ['NetrJobAdd', 'NetrJobDel', 'NetrJobEnum', 'NetrJobGetInfo'];

const LSARPC: Ops = [
  'LsarClose', 'Opnum1NotUsedOnWire', 'LsarEnumeratePrivileges', 'LsarQuerySecurityObject', 'LsarSetSecurityObject',
  'Opnum5NotUsedOnWire', 'LsarOpenPolicy', 'LsarQueryInformationPolicy', 'LsarSetInformationPolicy', 'Opnum9NotUsedOnWire',
  'LsarCreateAccount', 'LsarEnumerateAccounts', 'LsarCreateTrustedDomain', 'LsarEnumerateTrustedDomains', 'LsarLookupNames',
  'LsarLookupSids', 'LsarCreateSecret', 'LsarOpenAccount', 'LsarEnumeratePrivilegesAccount', 'LsarAddPrivilegesToAccount',
  'LsarRemovePrivilegesFromAccount', 'Opnum21NotUsedOnWire', 'Opnum22NotUsedOnWire', 'LsarGetSystemAccessAccount',
  'LsarSetSystemAccessAccount', 'LsarOpenTrustedDomain', 'LsarQueryInfoTrustedDomain', 'LsarSetInformationTrustedDomain',
  'LsarOpenSecret', 'LsarSetSecret', 'LsarQuerySecret', 'LsarLookupPrivilegeValue', 'LsarLookupPrivilegeName',
  'LsarLookupPrivilegeDisplayName', 'LsarDeleteObject', 'LsarEnumerateAccountsWithUserRight', 'LsarEnumerateAccountRights',
  'LsarAddAccountRights', 'LsarRemoveAccountRights', 'LsarQueryTrustedDomainInfo', 'LsarSetTrustedDomainInfo',
  'LsarDeleteTrustedDomain', 'LsarStorePrivateData', 'LsarRetrievePrivateData', 'LsarOpenPolicy2', 'LsarGetUserName',
  'LsarQueryInformationPolicy2', 'LsarSetInformationPolicy2', 'LsarQueryTrustedDomainInfoByName',
  'LsarSetTrustedDomainInfoByName', 'LsarEnumerateTrustedDomainsEx', 'LsarCreateTrustedDomainEx', 'Opnum52NotUsedOnWire',
  'LsarQueryDomainInformationPolicy', 'LsarSetDomainInformationPolicy', 'LsarOpenTrustedDomainByName',
  'Opnum56NotUsedOnWire', 'LsarLookupSids2', 'LsarLookupNames2', 'LsarCreateTrustedDomainEx2', ...notUsed(60, 67),
  'LsarLookupNames3', ...notUsed(69, 72), 'LsarQueryForestTrustInformation', 'LsarSetForestTrustInformation',
  'Opnum75NotUsedOnWire', 'LsarLookupSids3', 'LsarLookupNames4',
];

const SAMR: Ops = [
  'SamrConnect', 'SamrCloseHandle', 'SamrSetSecurityObject', 'SamrQuerySecurityObject', 'Opnum4NotUsedOnWire',
  'SamrLookupDomainInSamServer', 'SamrEnumerateDomainsInSamServer', 'SamrOpenDomain', 'SamrQueryInformationDomain',
  'SamrSetInformationDomain', 'SamrCreateGroupInDomain', 'SamrEnumerateGroupsInDomain', 'SamrCreateUserInDomain',
  'SamrEnumerateUsersInDomain', 'SamrCreateAliasInDomain', 'SamrEnumerateAliasesInDomain', 'SamrGetAliasMembership',
  'SamrLookupNamesInDomain', 'SamrLookupIdsInDomain', 'SamrOpenGroup', 'SamrQueryInformationGroup',
  'SamrSetInformationGroup', 'SamrAddMemberToGroup', 'SamrDeleteGroup', 'SamrRemoveMemberFromGroup',
  'SamrGetMembersInGroup', 'SamrSetMemberAttributesOfGroup', 'SamrOpenAlias', 'SamrQueryInformationAlias',
  'SamrSetInformationAlias', 'SamrDeleteAlias', 'SamrAddMemberToAlias', 'SamrRemoveMemberFromAlias',
  'SamrGetMembersInAlias', 'SamrOpenUser', 'SamrDeleteUser', 'SamrQueryInformationUser', 'SamrSetInformationUser',
  'SamrChangePasswordUser', 'SamrGetGroupsForUser', 'SamrQueryDisplayInformation', 'SamrGetDisplayEnumerationIndex',
  'Opnum42NotUsedOnWire', 'Opnum43NotUsedOnWire', 'SamrGetUserDomainPasswordInformation',
  'SamrRemoveMemberFromForeignDomain', 'SamrQueryInformationDomain2', 'SamrQueryInformationUser2',
  'SamrQueryDisplayInformation2', 'SamrGetDisplayEnumerationIndex2', 'SamrCreateUser2InDomain',
  'SamrQueryDisplayInformation3', 'SamrAddMultipleMembersToAlias', 'SamrRemoveMultipleMembersFromAlias',
  'SamrOemChangePasswordUser2', 'SamrUnicodeChangePasswordUser2', 'SamrGetDomainPasswordInformation', 'SamrConnect2',
  'SamrSetInformationUser2', 'Opnum59NotUsedOnWire', 'Opnum60NotUsedOnWire', 'Opnum61NotUsedOnWire', 'SamrConnect4',
  'Opnum63NotUsedOnWire', 'SamrConnect5', 'SamrRidToSid', 'SamrSetDSRMPassword', 'SamrValidatePassword',
];

const NETLOGON: Ops = [
  'NetrLogonUasLogon', 'NetrLogonUasLogoff', 'NetrLogonSamLogon', 'NetrLogonSamLogoff', 'NetrServerReqChallenge',
  'NetrServerAuthenticate', 'NetrServerPasswordSet', 'NetrDatabaseDeltas', 'NetrDatabaseSync', 'NetrAccountDeltas',
  'NetrAccountSync', 'NetrGetDCName', 'NetrLogonControl', 'NetrGetAnyDCName', 'NetrLogonControl2',
  'NetrServerAuthenticate2', 'NetrDatabaseSync2', 'NetrDatabaseRedo', 'NetrLogonControl2Ex',
  'NetrEnumerateTrustedDomains', 'DsrGetDcName', 'NetrLogonGetCapabilities', 'NetrLogonSetServiceBits',
  'NetrLogonGetTrustRid', 'NetrLogonComputeServerDigest', 'NetrLogonComputeClientDigest', 'NetrServerAuthenticate3',
  'DsrGetDcNameEx', 'DsrGetSiteName', 'NetrLogonGetDomainInfo', 'NetrServerPasswordSet2', 'NetrServerPasswordGet',
  'NetrLogonSendToSam', 'DsrAddressToSiteNamesW', 'DsrGetDcNameEx2', 'NetrLogonGetTimeServiceParentDomain',
  'NetrEnumerateTrustedDomainsEx', 'DsrAddressToSiteNamesExW', 'DsrGetDcSiteCoverageW', 'NetrLogonSamLogonEx',
  'DsrEnumerateDomainTrusts', 'DsrDeregisterDnsHostRecords', 'NetrServerTrustPasswordsGet',
  'DsrGetForestTrustInformation', 'NetrGetForestTrustInformation', 'NetrLogonSamLogonWithFlags', 'NetrServerGetTrustInfo',
];

const DRSUAPI: Ops = [
  'DRSBind', 'DRSUnbind', 'DRSReplicaSync', 'DRSGetNCChanges', 'DRSUpdateRefs', 'DRSReplicaAdd', 'DRSReplicaDel',
  'DRSReplicaModify', 'DRSVerifyNames', 'DRSGetMemberships', 'DRSInterDomainMove', 'DRSGetNT4ChangeLog', 'DRSCrackNames',
  'DRSWriteSPN', 'DRSRemoveDsServer', 'DRSRemoveDsDomain', 'DRSDomainControllerInfo', 'DRSAddEntry', 'DRSExecuteKCC',
  'DRSGetReplInfo', 'DRSAddSidHistory', 'DRSGetMemberships2', 'DRSReplicaVerifyObjects', 'DRSGetObjectExistence',
  'DRSQuerySitesByCost', 'DRSInitDemotion', 'DRSReplicaDemotion', 'DRSFinishDemotion', 'DRSAddCloneDC',
];

const WINREG: Ops = [
  'OpenClassesRoot', 'OpenCurrentUser', 'OpenLocalMachine', 'OpenPerformanceData', 'OpenUsers', 'BaseRegCloseKey',
  'BaseRegCreateKey', 'BaseRegDeleteKey', 'BaseRegDeleteValue', 'BaseRegEnumKey', 'BaseRegEnumValue', 'BaseRegFlushKey',
  'BaseRegGetKeySecurity', 'BaseRegLoadKey', 'Opnum14NotImplemented', 'BaseRegOpenKey', 'BaseRegQueryInfoKey',
  'BaseRegQueryValue', 'BaseRegReplaceKey', 'BaseRegRestoreKey', 'BaseRegSaveKey', 'BaseRegSetKeySecurity',
  'BaseRegSetValue', 'BaseRegUnLoadKey', 'BaseInitiateSystemShutdown', 'BaseAbortSystemShutdown', 'BaseRegGetVersion',
  'OpenCurrentConfig', 'Opnum28NotImplemented', 'BaseRegQueryMultipleValues', 'BaseInitiateSystemShutdownEx',
  'BaseRegSaveKeyEx', 'OpenPerformanceText', 'OpenPerformanceNlsText', 'BaseRegQueryMultipleValues2', 'BaseRegDeleteKeyEx',
];

const EPMAPPER: Ops = ['ept_insert', 'ept_delete', 'ept_lookup', 'ept_map', 'ept_lookup_handle_free', 'ept_inq_object', 'ept_mgmt_delete'];

const SRVSVC: Ops = [
  ...notUsed(0, 7), 'NetrConnectionEnum', 'NetrFileEnum', 'NetrFileGetInfo', 'NetrFileClose', 'NetrSessionEnum',
  'NetrSessionDel', 'NetrShareAdd', 'NetrShareEnum', 'NetrShareGetInfo', 'NetrShareSetInfo', 'NetrShareDel',
  'NetrShareDelSticky', 'NetrShareCheck', 'NetrServerGetInfo', 'NetrServerSetInfo', 'NetrServerDiskEnum',
  'NetrServerStatisticsGet', 'NetrServerTransportAdd', 'NetrServerTransportEnum', 'NetrServerTransportDel',
  'NetrRemoteTOD', 'Opnum29NotUsedOnWire', 'NetprPathType', 'NetprPathCanonicalize', 'NetprPathCompare',
  'NetprNameValidate', 'NetprNameCanonicalize', 'NetprNameCompare', 'NetrShareEnumSticky', 'NetrShareDelStart',
  'NetrShareDelCommit', 'NetrpGetFileSecurity', 'NetrpSetFileSecurity', 'NetrServerTransportAddEx',
  'Opnum42NotUsedOnWire', 'NetrDfsGetVersion', 'NetrDfsCreateLocalPartition', 'NetrDfsDeleteLocalPartition',
  'NetrDfsSetLocalVolumeState', 'Opnum47NotUsedOnWire', 'NetrDfsCreateExitPoint', 'NetrDfsDeleteExitPoint',
  'NetrDfsModifyPrefix', 'NetrDfsFixLocalVolume', 'NetrDfsManagerReportSiteInfo', 'NetrServerTransportDelEx',
  'NetrServerAliasAdd', 'NetrServerAliasEnum', 'NetrServerAliasDel', 'NetrShareDelEx',
];

const WKSSVC: Ops = [
  'NetrWkstaGetInfo', 'NetrWkstaSetInfo', 'NetrWkstaUserEnum', 'Opnum3NotUsedOnWire', 'Opnum4NotUsedOnWire',
  'NetrWkstaTransportEnum', 'NetrWkstaTransportAdd', 'NetrWkstaTransportDel', 'NetrUseAdd', 'NetrUseGetInfo',
  'NetrUseDel', 'NetrUseEnum', 'Opnum12NotUsedOnWire', 'NetrWorkstationStatisticsGet', ...notUsed(14, 19),
  'NetrGetJoinInformation', 'Opnum21NotUsedOnWire', 'NetrJoinDomain2', 'NetrUnjoinDomain2', 'NetrRenameMachineInDomain2',
  'NetrValidateName2', 'NetrGetJoinableOUs2', 'NetrAddAlternateComputerName', 'NetrRemoveAlternateComputerName',
  'NetrSetPrimaryComputerName', 'NetrEnumerateComputerNames',
];

const SPOOLSS: Ops = [
  'RpcEnumPrinters', 'RpcOpenPrinter', 'RpcSetJob', 'RpcGetJob', 'RpcEnumJobs', 'RpcAddPrinter', 'RpcDeletePrinter',
  'RpcSetPrinter', 'RpcGetPrinter', 'RpcAddPrinterDriver', 'RpcEnumPrinterDrivers', 'RpcGetPrinterDriver',
  'RpcGetPrinterDriverDirectory', 'RpcDeletePrinterDriver', 'RpcAddPrintProcessor', 'RpcEnumPrintProcessors',
  'RpcGetPrintProcessorDirectory', 'RpcStartDocPrinter', 'RpcStartPagePrinter', 'RpcWritePrinter', 'RpcEndPagePrinter',
  'RpcAbortPrinter', 'RpcReadPrinter', 'RpcEndDocPrinter', 'RpcAddJob', 'RpcScheduleJob', 'RpcGetPrinterData',
  'RpcSetPrinterData', 'RpcWaitForPrinterChange', 'RpcClosePrinter',
];

const OBJECT_EXPORTER: Ops = ['ResolveOxid', 'SimplePing', 'ComplexPing', 'ServerAlive', 'ResolveOxid2', 'ServerAlive2'];
const REMOTE_SCM_ACTIVATOR: Ops = ['Opnum0NotUsedOnWire', 'Opnum1NotUsedOnWire', 'Opnum2NotUsedOnWire', 'RemoteGetClassObject', 'RemoteCreateInstance'];
const WBEM_LEVEL1_LOGIN: Ops = ['QueryInterface', 'AddRef', 'Release', 'EstablishPosition', 'RequestChallenge', 'WBEMLogin', 'NTLMLogin'];

interface Iface {
  endpoint: string;
  ops?: Ops;
}

const INTERFACES = new Map<string, Iface>([
  ['367abb81-9844-35f1-ad32-98f038001003', { endpoint: 'svcctl', ops: SVCCTL }],
  ['86d35949-83c9-4044-b424-db363231fd0c', { endpoint: 'ITaskSchedulerService', ops: TASK_SCHEDULER }],
  ['1ff70682-0a51-30e8-076d-740be8cee98b', { endpoint: 'atsvc', ops: ATSVC }],
  ['378e52b0-c0a9-11cf-822d-00aa0051e40f', { endpoint: 'sasec' }],
  ['12345778-1234-abcd-ef00-0123456789ab', { endpoint: 'lsarpc', ops: LSARPC }],
  ['12345778-1234-abcd-ef00-0123456789ac', { endpoint: 'samr', ops: SAMR }],
  ['12345678-1234-abcd-ef00-01234567cffb', { endpoint: 'netlogon', ops: NETLOGON }],
  ['e3514235-4b06-11d1-ab04-00c04fc2dcd2', { endpoint: 'drsuapi', ops: DRSUAPI }],
  ['338cd001-2244-31f1-aaaa-900038001003', { endpoint: 'winreg', ops: WINREG }],
  ['e1af8308-5d1f-11c9-91a4-08002b14a0fa', { endpoint: 'epmapper', ops: EPMAPPER }],
  ['4b324fc8-1670-01d3-1278-5a47bf6ee188', { endpoint: 'srvsvc', ops: SRVSVC }],
  ['6bffd098-a112-3610-9833-46c3f87e345a', { endpoint: 'wkssvc', ops: WKSSVC }],
  ['12345678-1234-abcd-ef00-0123456789ab', { endpoint: 'spoolss', ops: SPOOLSS }],
  ['99fcfec4-5260-101b-bbcb-00aa0021347a', { endpoint: 'IObjectExporter', ops: OBJECT_EXPORTER }],
  ['000001a0-0000-0000-c000-000000000046', { endpoint: 'IRemoteSCMActivator', ops: REMOTE_SCM_ACTIVATOR }],
  ['4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', { endpoint: 'IActivation', ops: ['RemoteActivation'] }],
  ['00000143-0000-0000-c000-000000000046', { endpoint: 'IRemUnknown2' }],
  ['00000131-0000-0000-c000-000000000046', { endpoint: 'IRemUnknown' }],
  ['f309ad18-d86a-11d0-a075-00c04fb68820', { endpoint: 'IWbemLevel1Login', ops: WBEM_LEVEL1_LOGIN }],
  ['9556dc99-828c-11cf-a37e-00aa003240c7', { endpoint: 'IWbemServices' }],
  ['afa8bd80-7d8a-11c9-bef4-08002b102989', { endpoint: 'mgmt', ops: ['rpc__mgmt_inq_if_ids', 'rpc__mgmt_inq_stats', 'rpc__mgmt_is_server_listening', 'rpc__mgmt_stop_server_listening', 'rpc__mgmt_inq_princ_name'] }],
  ['3919286a-b10c-11d0-9ba8-00c04fd92ef5', { endpoint: 'dssetup', ops: ['DsRolerGetPrimaryDomainInformation'] }],
  ['4fc742e0-4a10-11cf-8273-00aa004ae673', { endpoint: 'netdfs' }],
  ['82273fdc-e32a-18c3-3f78-827929dc23ea', { endpoint: 'eventlog' }],
  ['894de0c0-0d55-11d3-a322-00c04fa321a1', { endpoint: 'InitShutdown', ops: ['BaseInitiateShutdown', 'BaseAbortShutdown', 'BaseInitiateShutdownEx'] }],
  ['3dde7c30-165d-11d1-ab8f-00805f14db40', { endpoint: 'BackupKey', ops: ['BackuprKey'] }],
  ['50abc2a4-574d-40b3-9d66-ee4fd5fba076', { endpoint: 'dnsserver' }],
  ['c681d488-d850-11d0-8c52-00c04fd90f7e', { endpoint: 'efsrpc2' }],
  ['df1941c5-fe89-4e79-bf10-463657acf44d', { endpoint: 'efsrpc' }],
  ['76f03f96-cdfd-44fc-a22c-64950a001209', { endpoint: 'IRemoteWinspool' }],
  ['5ca4a760-ebb1-11cf-8611-00a0245420ed', { endpoint: 'winstation_rpc' }],
  ['8fb6d884-2388-11d0-8c35-00c04fda2795', { endpoint: 'W32Time' }],
]);

/** Pipe name (lower case, without \PIPE\) → the interface usually bound on it (Zeek's pipe_name_to_common_uuid). */
export const PIPE_TO_UUID: ReadonlyMap<string, string> = new Map([
  ['winreg', '338cd001-2244-31f1-aaaa-900038001003'],
  ['spoolss', '12345678-1234-abcd-ef00-0123456789ab'],
  ['srvsvc', '4b324fc8-1670-01d3-1278-5a47bf6ee188'],
]);

/** Noisy, low-value operations not logged (Zeek's DCE_RPC::ignored_operations). */
const IGNORED = new Map<string, ReadonlySet<string>>([
  ['winreg', new Set(['BaseRegCloseKey', 'BaseRegGetVersion', 'BaseRegOpenKey', 'BaseRegQueryValue', 'BaseRegDeleteKeyEx', 'OpenLocalMachine', 'BaseRegEnumKey', 'OpenClassesRoot'])],
  ['spoolss', new Set(['RpcSplOpenPrinter', 'RpcClosePrinter'])],
  ['wkssvc', new Set(['NetrWkstaGetInfo'])],
]);

export function endpointName(uuid: string): string {
  return INTERFACES.get(uuid)?.endpoint ?? `unknown-${uuid}`;
}

export function operationName(uuid: string, opnum: number): string {
  const name = INTERFACES.get(uuid)?.ops?.[opnum];
  return name ? name : `unknown-${opnum}`;
}

export function isIgnored(endpoint: string, operation: string): boolean {
  return IGNORED.get(endpoint)?.has(operation) ?? false;
}
