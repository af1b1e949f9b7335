using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("00:00:05", 5000)]
    public void TryParse_AcceptsHaproxyAndTimeSpanForms(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5")]
    [InlineData("5 parsecs")]
    [InlineData("ms")]
    [InlineData("-00:00:05")]
    public void TryParse_RefusesWhatIsNotADuration(string text) => Assert.False(Duration.TryParse(text, out _));
}
