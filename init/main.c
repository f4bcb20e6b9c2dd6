/* Entry point: picks the mode from argv and whether we are PID 1. */
int main(void)
{
    return 0;
}
