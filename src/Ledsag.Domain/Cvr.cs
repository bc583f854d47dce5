namespace Ledsag.Domain;

/// <summary>CVR numbers (Det Centrale Virksomhedsregister): a provider's, and the municipality's own as a Digital Post sender.</summary>
public static class Cvr
{
    /// <summary>Eight digits, not starting with 0, whose weighted sum (2, 7, 6, 5, 4, 3, 2, 1) is divisible by 11.</summary>
    public static bool IsValid(string cvr)
    {
        if (cvr.Length != 8 || !cvr.All(char.IsAsciiDigit) || cvr[0] == '0')
        {
            return false;
        }
        int[] weights = [2, 7, 6, 5, 4, 3, 2, 1];
        return cvr.Select((c, i) => (c - '0') * weights[i]).Sum() % 11 == 0;
    }
}
