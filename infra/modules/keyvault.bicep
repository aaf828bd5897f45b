// Key Vault (RBAC) holding the secrets app settings reference as @Microsoft.KeyVault(VaultName=...;SecretName=...).
param location string
param name string
param readerPrincipalId string
@secure()
param accessKeySecret string
@secure()
param taskTokenKey string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var accessKeySecretName = 'swf-access-key-0-secret'
var taskTokenKeySecretName = 'swf-task-token-key'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource accessKey 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: accessKeySecretName
  properties: { value: accessKeySecret }
}

resource tokenKey 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(taskTokenKey)) {
  parent: vault
  name: taskTokenKeySecretName
  properties: { value: taskTokenKey }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output accessKeySecretName string = accessKeySecretName
output taskTokenKeySecretName string = taskTokenKeySecretName
