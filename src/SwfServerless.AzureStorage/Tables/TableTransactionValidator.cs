namespace SwfServerless.AzureStorage;

/// <summary>Entity-group transaction rules Azure enforces and Azurite does not, checked before sending.</summary>
internal static class TableTransactionValidator
{
    public static void Validate(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
            throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        if (actions.Count > TableLimits.MaxTransactionActions)
            throw new ArgumentException($"A transaction holds at most {TableLimits.MaxTransactionActions} actions; got {actions.Count}.", nameof(actions));

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity;
            if (actions[i].ActionType == TableTransactionActionType.Delete)
            {
                TableLimits.ValidateKey(entity.PartitionKey, nameof(entity.PartitionKey));
                TableLimits.ValidateKey(entity.RowKey, nameof(entity.RowKey));
            }
            else
            {
                TableLimits.ValidateEntity(entity);
            }

            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
                throw new ArgumentException($"Action {i} is in partition '{entity.PartitionKey}', action 0 in '{partitionKey}'; a transaction spans one partition.", nameof(actions));
            if (!rowKeys.Add(entity.RowKey))
                throw new ArgumentException($"Action {i} touches row '{entity.RowKey}' again; a transaction may touch each row once.", nameof(actions));
        }
    }
}
