export { ModernConnection } from './modern-connection.js';
export { type ModernConnectorOptions, modernConnector } from './modern-connector.js';
