using System.Text;

namespace SwfServerless.AzureStorage.Tests;

/// <summary>Wire details checked without a server: signing of path-style URIs and the $batch error answer.</summary>
public sealed class WireFormatTests
{
    [Fact]
    public void Path_style_uris_sign_the_account_twice_and_queue_signs_every_query_parameter()
    {
        var signer = new SharedKeyAuthorizer("devstoreaccount1", new byte[32]);
        var table = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10002/devstoreaccount1/t1(PartitionKey='a%20b',RowKey='c')?$select=X");
        table.Headers.TryAddWithoutValidation("x-ms-date", "Mon, 01 Jan 2024 00:00:00 GMT");
        var queue = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10001/devstoreaccount1/q1/messages?numofmessages=5&VisibilityTimeout=30");
        queue.Headers.TryAddWithoutValidation("x-ms-date", "Mon, 01 Jan 2024 00:00:00 GMT");
        queue.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");

        Assert.Equal(
            "GET\n\n\nMon, 01 Jan 2024 00:00:00 GMT\n/devstoreaccount1/devstoreaccount1/t1(PartitionKey='a%20b',RowKey='c')",
            signer.TableStringToSign(table));
        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\nx-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/q1/messages\nnumofmessages:5\nvisibilitytimeout:30",
            signer.QueueStringToSign(queue));
    }

    [Fact]
    public void Batch_error_from_Azure_names_the_failed_action()
    {
        // The shape Azure documents for a failed changeset.
        var body = string.Join("\r\n",
            "--batchresponse_e69b1c6c-50f5-4a0e-8e1d-8e7b1b0b3f7e",
            "Content-Type: multipart/mixed; boundary=changesetresponse_762be3d4-a8ec-4ff9-b0b4-2a4b5e4d3a2c",
            "",
            "--changesetresponse_762be3d4-a8ec-4ff9-b0b4-2a4b5e4d3a2c",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            "HTTP/1.1 412 Precondition Failed",
            "X-Content-Type-Options: nosniff",
            "DataServiceVersion: 3.0;",
            "Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8",
            "",
            "{\"odata.error\":{\"code\":\"UpdateConditionNotSatisfied\",\"message\":{\"lang\":\"en-US\",\"value\":\"1:The update condition specified in the request was not satisfied.\\nRequestId:abc\\nTime:2024-01-01T00:00:00.0000000Z\"}}}",
            "--changesetresponse_762be3d4-a8ec-4ff9-b0b4-2a4b5e4d3a2c--",
            "--batchresponse_e69b1c6c-50f5-4a0e-8e1d-8e7b1b0b3f7e--",
            "");
        TableTransactionAction[] actions =
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "a")),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "b")),
            new(TableTransactionActionType.Add, new TableEntity("p", "c")),
        ];

        var e = Assert.Throws<ConcurrencyConflictException>(() => TableBatchResponse.Interpret(body, actions));

        Assert.Equal(1, e.FailedActionIndex);
        Assert.Equal("UpdateConditionNotSatisfied", e.ErrorCode);
        Assert.Contains("The update condition specified", e.Message);
        Assert.DoesNotContain("RequestId", e.Message);
    }

    [Fact]
    public void Batch_request_keeps_each_json_body_on_one_line()
    {
        var uris = new TableUris(new Uri("http://127.0.0.1:10002/devstoreaccount1"), "t1");
        var (body, boundary) = TableBatchRequest.Build(uris, [
            new(TableTransactionActionType.Add, new TableEntity("p", "a") { ["S"] = "line1\nline2\u2028" }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "b")),
        ]);
        var text = Encoding.UTF8.GetString(body);

        Assert.StartsWith("--" + boundary + "\r\n", text);
        Assert.Contains("POST http://127.0.0.1:10002/devstoreaccount1/t1 HTTP/1.1\r\n", text);
        Assert.Contains("DELETE http://127.0.0.1:10002/devstoreaccount1/t1(PartitionKey='p',RowKey='b') HTTP/1.1\r\n", text);
        Assert.Contains("If-Match: *\r\n", text);
        Assert.Single(text.Split("\r\n"), line => line.StartsWith('{') && line.Contains("line1\\nline2\\u2028"));
    }
}
