using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Deploy;

public sealed class YamlSubsetTests
{
    [Fact]
    public void Parse_TheSubset_GivesMapsListsAndScalars()
    {
        var documents = YamlSubset.ParseDocuments("""
            # a comment
            kind: Deployment   # trailing comment
            spec:
              ports:
                - name: http
                  containerPort: 8080
                - name: "quoted: yes"
              args: ["dotnet", 'Gateway.dll', "a # not a comment"]
              list:
              - one
              - 'it''s'
              empty: {}
              none: ~
              text: |
                line one
                  indented
              last: "a\"b"
            ---
            second: true
            """);

        Assert.Equal(2, documents.Count);
        var first = (YamlMap)documents[0]!;
        Assert.Equal("Deployment", first.Text("kind"));
        var spec = first.Map("spec");
        Assert.Equal(["http", "quoted: yes"], spec.Maps("ports").Select(p => p.Text("name")));
        Assert.Equal(8080, spec.Maps("ports").First().Int("containerPort"));
        Assert.Equal(["dotnet", "Gateway.dll", "a # not a comment"], spec.List("args").Cast<string>());
        Assert.Equal(["one", "it's"], spec.List("list").Cast<string>());
        Assert.Empty(spec.Map("empty"));
        Assert.Null(spec["none"]);
        Assert.Equal("line one\n  indented\n", spec.Text("text"));
        Assert.Equal("a\"b", spec.Text("last"));
        Assert.Equal("true", ((YamlMap)documents[1]!).Text("second"));
    }

    [Theory]
    [InlineData("a: 1\na: 2", "duplicate key 'a'")]
    [InlineData("a:\n\tb: 1", "tab characters")]
    [InlineData("a: &anchor 1", "'&' starts YAML")]
    [InlineData("a: >\n  folded", "'>' starts YAML")]
    [InlineData("a: {b: 1}", "'{' starts YAML")]
    [InlineData("a: plain\n  continued", "plain scalar continues")]
    [InlineData("a: x: y", "holds ': '")]
    [InlineData("a:\n  b: 1\n    c: 2", "indented more")]
    [InlineData("a: \"open", "must end on its line")]
    public void Parse_BeyondTheSubset_IsRefusedWithTheLine(string yaml, string expected)
    {
        var error = Assert.Throws<FormatException>(() => YamlSubset.ParseDocuments(yaml));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("line ", error.Message, StringComparison.Ordinal);
    }
}
