export { PortalTransparenciaSource, PORTAL_TRANSPARENCIA_BASE_URL, type PortalTransparenciaOptions } from './portal-transparencia/portal-transparencia-source.js';
export { PortalTransparenciaError, type PortalErrorCode } from './portal-transparencia/portal-transparencia.errors.js';
export { FileContractSource, formatFromPath, type ContractFileFormat, type FileContractSourceOptions } from './file/file-contract-source.js';
export { FileContractSourceError } from './file/file-source.errors.js';
export { toContract, ContractRecordError } from './shared/contract-record.mapper.js';
