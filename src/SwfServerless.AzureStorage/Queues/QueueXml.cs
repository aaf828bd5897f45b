using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace SwfServerless.AzureStorage;

/// <summary>The Queue service's XML bodies, written and read with System.Xml (no serializers).</summary>
internal static class QueueXml
{
    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        OmitXmlDeclaration = true,
    };

    /// <summary>&lt;QueueMessage&gt;&lt;MessageText&gt;…&lt;/MessageText&gt;&lt;/QueueMessage&gt;</summary>
    public static byte[] MessageBody(string encodedText)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, WriterSettings))
        {
            writer.WriteStartElement("QueueMessage");
            writer.WriteElementString("MessageText", encodedText);
            writer.WriteEndElement();
        }
        return stream.ToArray();
    }

    /// <summary>The QueueMessage elements of a QueueMessagesList answer.</summary>
    public static IEnumerable<XElement> Messages(Stream body)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(body, settings);
        return XDocument.Load(reader).Root?.Elements("QueueMessage").ToList() ?? [];
    }

    public static string Text(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new FormatException($"Queue message without {name}.");

    public static long Long(XElement message, string name) =>
        long.Parse(Text(message, name), NumberStyles.Integer, CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(XElement message, string name) =>
        message.Element(name)?.Value is { Length: > 0 } s ? ParseRfc1123(s) : null;

    public static DateTimeOffset ParseRfc1123(string value) =>
        DateTimeOffset.ParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
