using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SwfServerless.AzureStorage.Tests")]
