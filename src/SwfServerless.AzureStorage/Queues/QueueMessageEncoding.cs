namespace SwfServerless.AzureStorage;

public enum QueueMessageEncoding
{
    /// <summary>UTF-8 then base64: any text survives, and it is what the Azure Functions queue trigger decodes by default.</summary>
    Base64,

    /// <summary>The text as is (it must be valid in XML).</summary>
    None,
}
