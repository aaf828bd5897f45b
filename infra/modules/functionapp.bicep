// The Flex Consumption plan and the function app on the .NET isolated worker (runtime dotnet-isolated 10.0).
// Flex moved runtime, scale and deployment settings into functionAppConfig; FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE are not app settings there.
param location string
param name string
param instanceMemoryMB int
param httpPerInstanceConcurrency int
param maximumInstanceCount int
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param appInsightsConnectionString string
@description('Host names clients sign for, comma-separated; empty: the app\'s default host name as Azure assigned it.')
param publicHostNames string
@description('The SWF service\'s own settings (Swf__*, SWF_*).')
param appSettings { *: string }

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${name}-plan'
  location: location
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      // Fixed, not parameters: the worker is built for net10.0, so the runtime follows the build, not the deployer.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, {
    // Identity-based AzureWebJobsStorage: read by the Functions host (timers, queue trigger) and by the app.
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // The SWF endpoint answers at "/": a catch-all HTTP route with the landing page off.
    AzureWebJobsDisableHomepage: 'true'
    // The names SigV4 signatures may be bound to (the proxy in front rewrites Host; see README).
    Swf__PublicHostNames: empty(publicHostNames) ? site.properties.defaultHostName : publicHostNames
    // Read by the host and by the worker's Application Insights package; local auth is off on the resource, so both
    // send with the user-assigned identity (Monitoring Metrics Publisher, granted in identity.bicep).
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  })
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
