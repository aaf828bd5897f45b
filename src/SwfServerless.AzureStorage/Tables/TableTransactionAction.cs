using Azure;

namespace SwfServerless.AzureStorage;

public enum TableTransactionActionType
{
    Add,
    UpsertMerge,
    UpsertReplace,
    UpdateMerge,
    UpdateReplace,
    Delete,
}

/// <summary>
/// One action of an entity-group transaction. For updates and deletes the If-Match value is
/// <paramref name="ETag"/> when given, else the entity's own ETag, else <see cref="ETag.All"/>.
/// </summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default)
{
    internal ETag EffectiveIfMatch =>
        ETag != default ? ETag : Entity.ETag != default ? Entity.ETag : ETag.All;
}
