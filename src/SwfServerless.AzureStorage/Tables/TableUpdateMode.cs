namespace SwfServerless.AzureStorage;

public enum TableUpdateMode
{
    /// <summary>Keep stored properties the entity does not mention (MERGE).</summary>
    Merge,

    /// <summary>The entity becomes exactly what is sent (PUT).</summary>
    Replace,
}
