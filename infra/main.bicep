// SwfServerless on Azure: a Flex Consumption (FC1) function app on the .NET isolated worker (runtime
// dotnet-isolated 10.0), its storage (tables, queues, the deployment container), Key Vault for the access-key
// secrets, and monitoring.
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json -p accessKeySecret=<secret>
targetScope = 'resourceGroup'

@description('Base name; resources get it plus a short unique suffix. Lowercase letters and digits.')
@minLength(3)
@maxLength(12)
param baseName string = 'swf'

@description('Azure region; it must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Memory per instance in MB (Flex Consumption offers 512, 2048, 4096). 512 MB (0.25 core) runs the app and halves or quarters the GB-seconds every waiting long poll costs.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 512

@description('Concurrent HTTP requests per instance before Flex adds an instance. Long polls mostly wait, so many share one instance.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 200

@description('Upper bound on instances (the lowest Flex allows is 40).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Region and account id shown in SWF domain ARNs.')
param swfRegion string = 'us-east-1'
param swfAccountId string = '000000000000'

@description('NCRONTAB schedule (seconds first) of the timer-triggered sweep.')
param sweepSchedule string = '0 * * * * *'

@description('Access key id clients sign with (like an AWS access key id).')
@minLength(16)
param accessKeyId string

@secure()
@description('Its secret access key. Stored in Key Vault; the app setting only references it.')
@minLength(16)
param accessKeySecret string

@secure()
@description('Optional base64 HMAC key for task tokens. Empty: the app generates one and keeps it in its storage.')
param taskTokenKey string = ''

@description('Host names clients sign for, comma-separated. Empty: the app\'s default host name.')
param publicHostNames string = ''

// Untyped on purpose: a user-defined type would switch the whole template to ARM language version 2.0.
@description('Functions that Lambda tasks call (Swf__LambdaFunctions__N__*), only these are ever called: objects { name: the name deciders schedule, url: its HTTPS endpoint, audience (optional): of the managed-identity token the call carries }. A function key is a secret: put it in Key Vault and reference it from Swf__LambdaFunctions__N__Key yourself. Empty: every Lambda task fails to start.')
#disable-next-line use-user-defined-types
param lambdaFunctions array = []

var suffix = take(uniqueString(resourceGroup().id, baseName), 6)
var appName = '${baseName}-${suffix}'
// One group of settings per Lambda function, numbered as the app binds a list (Swf__LambdaFunctions__0__Name, ...).
var lambdaSettings = reduce(range(0, length(lambdaFunctions)), {}, (settings, i) => union(settings, {
  'Swf__LambdaFunctions__${i}__Name': lambdaFunctions[i].name
  'Swf__LambdaFunctions__${i}__Url': lambdaFunctions[i].url
}, empty(lambdaFunctions[i].?audience ?? '') ? {} : {
  'Swf__LambdaFunctions__${i}__Audience': lambdaFunctions[i].audience
}))
// The prefix of the app's own tables and queues (Swf__StoragePrefix) and the intent queue derived from it.
var storagePrefix = 'swf'
var intentQueue = '${storagePrefix}-intents'

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    name: appName
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: toLower('${baseName}${suffix}st')
    deploymentContainerName: 'app-package'
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    name: '${appName}-id'
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    name: '${baseName}-${suffix}-kv'
    readerPrincipalId: identity.outputs.principalId
    accessKeySecret: accessKeySecret
    taskTokenKey: taskTokenKey
  }
}

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    name: appName
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    maximumInstanceCount: maximumInstanceCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    publicHostNames: publicHostNames
    appSettings: union({
      Swf__Region: swfRegion
      Swf__AccountId: swfAccountId
      Swf__StoragePrefix: storagePrefix
      Swf__AccessKeys__0__AccessKeyId: accessKeyId
      Swf__AccessKeys__0__SecretAccessKey: '@Microsoft.KeyVault(VaultName=${vault.outputs.name};SecretName=${vault.outputs.accessKeySecretName})'
      SWF_SWEEP_SCHEDULE: sweepSchedule
      // The sweep hands deadlines due before its next run to in-process timers: keep this equal to the schedule's period.
      Swf__SweepIntervalSeconds: '60'
      SWF_INTENT_QUEUE: intentQueue
    }, empty(taskTokenKey) ? {} : {
      Swf__TaskTokenKey: '@Microsoft.KeyVault(VaultName=${vault.outputs.name};SecretName=${vault.outputs.taskTokenKeySecretName})'
    }, lambdaSettings)
  }
}

@description('Point AWS clients here (--endpoint-url / endpoint_url / endpoint).')
output endpointUrl string = 'https://${app.outputs.defaultHostName}/'
output functionAppName string = app.outputs.name
output storageAccountName string = storage.outputs.name
output deploymentContainerUrl string = storage.outputs.deploymentContainerUrl
output keyVaultName string = vault.outputs.name
